# Warnings are errors for the project's own code (not for system headers).
function(swarm_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
        -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -Wshadow=local)
        # gcc 12 reports false positives inside libstdc++/Boost at -O2
        target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-dangling-reference -Wno-restrict)
    endif()
endfunction()

# swarm_library(name SOURCES ... DEPS ...): one CMake library per code folder.
function(swarm_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
    swarm_warnings(${name})
endfunction()
