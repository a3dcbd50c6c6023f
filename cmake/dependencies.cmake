# Every dependency comes from Debian 12 packages installed by scripts/install-deps.
if(SWARM_STATIC_DEPS)
    include(${CMAKE_CURRENT_LIST_DIR}/static_deps.cmake)  # the switches, before the finders
endif()
find_package(Boost 1.81.0 EXACT REQUIRED COMPONENTS json url CONFIG)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(cppzmq REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# nghttp2: HTTP/2 framing, HPACK, flow control and stream state (`swarm target`'s h2/h2c and the worker's client, worker/http/h2_*).
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2)
if(SWARM_STATIC_DEPS)
    include(${CMAKE_CURRENT_LIST_DIR}/static_deps.cmake)  # archives for what the finders found
endif()
if(SWARM_TESTS AND NOT SWARM_FUZZ)  # the fuzz targets have their own driver
    find_package(GTest REQUIRED)
endif()

# msgpack-cxx: header-only, unpacked from Debian's package into the build tree
# (its -dev package would pull in Boost 1.74); see scripts/install-deps.
find_path(MSGPACK_INCLUDE_DIR msgpack.hpp
    PATHS ${PROJECT_SOURCE_DIR}/build/_deps/msgpack-cxx/usr/include NO_DEFAULT_PATH)
if(NOT MSGPACK_INCLUDE_DIR)
    message(FATAL_ERROR "msgpack-cxx not found: run scripts/install-deps (or `make deps`)")
endif()
add_library(swarm_msgpack INTERFACE)
target_include_directories(swarm_msgpack SYSTEM INTERFACE ${MSGPACK_INCLUDE_DIR})
target_compile_definitions(swarm_msgpack INTERFACE MSGPACK_NO_BOOST)

# Boost.Asio/Beast settings shared by every target that includes them.
add_library(swarm_boost INTERFACE)
target_link_libraries(swarm_boost INTERFACE Boost::headers Boost::json Boost::url Threads::Threads)
# No per-thread recycling of coroutine frames and handler memory: Asio hands
# a cached block to any later request it is big enough for, so a worker's
# long-lived frames and timer waits (20 000 idle users, one each) sat in
# blocks cut for the largest short-lived ones - about 1 KiB per idle user
# lost. glibc's own per-thread cache makes the plain malloc about as fast
# (bench/README: idle memory and CPU per request, side by side).
target_compile_definitions(swarm_boost INTERFACE
    BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_DISABLE_CONCEPTS
    BOOST_ASIO_DISABLE_AWAITABLE_FRAME_RECYCLING BOOST_ASIO_DISABLE_SMALL_BLOCK_RECYCLING)

