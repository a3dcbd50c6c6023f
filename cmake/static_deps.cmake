# `make dist` (SWARM_STATIC_DEPS): one binary to copy to any Linux x86_64 machine
# for ad hoc multi-machine runs. Every library Debian ships as an archive is
# linked in; so are libstdc++ and libgcc. What Debian ships only as shared
# objects (MIT Kerberos, which libzmq's GSSAPI mechanism references) stays
# shared and travels in the tarball's lib/ folder, found through the binary's
# RUNPATH ($ORIGIN/lib); scripts/make-dist copies it and checks that nothing
# else beyond glibc is needed.
#
# Included by dependencies.cmake twice: before the find_package calls (the
# switches that make the finders pick archives) and after them (the imported
# targets whose packages only describe the shared library).

if(NOT SWARM_STATIC_DEPS_FOUND_PHASE)
    set(OPENSSL_USE_STATIC_LIBS ON)
    set(ZLIB_USE_STATIC_LIBS ON)
    set(SWARM_STATIC_DEPS_FOUND_PHASE ON)
    return()
endif()

set(swarm_archive_dir /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE})

# The archive lib<name>.a, or a configure error naming the Debian package.
function(swarm_archive out name package)
    find_library(${out}_path NAMES lib${name}.a PATHS ${swarm_archive_dir} NO_DEFAULT_PATH)
    if(NOT ${out}_path)
        message(FATAL_ERROR "SWARM_STATIC_DEPS: lib${name}.a not found (Debian package ${package})")
    endif()
    set(${out} ${${out}_path} PARENT_SCOPE)
endfunction()

# An imported target's library swapped for its archive, in every configuration.
# (Boost's static variant would also change its compile definitions, and with
# them every object: same objects as the release build, so ccache shares them.)
function(swarm_link_archive target archive)
    get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
    foreach(config IN LISTS configs)
        set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} ${archive})
    endforeach()
endfunction()

swarm_archive(yaml_cpp_a yaml-cpp libyaml-cpp-dev)
swarm_link_archive(yaml-cpp ${yaml_cpp_a})
swarm_archive(boost_json_a boost_json libboost-json1.81-dev)
swarm_link_archive(Boost::json ${boost_json_a})
swarm_archive(boost_url_a boost_url libboost-url1.81-dev)
swarm_link_archive(Boost::url ${boost_url_a})

# RE2 from pkg-config: the archive, and the threads it needs.
swarm_archive(re2_a re2 libre2-dev)
set_target_properties(PkgConfig::RE2 PROPERTIES INTERFACE_LINK_LIBRARIES "${re2_a};Threads::Threads"
                                                INTERFACE_LINK_DIRECTORIES "")

# nghttp2 from pkg-config: the archive.
swarm_archive(nghttp2_a nghttp2 libnghttp2-dev)
set_target_properties(PkgConfig::NGHTTP2 PROPERTIES INTERFACE_LINK_LIBRARIES "${nghttp2_a}"
                                                    INTERFACE_LINK_DIRECTORIES "")

# libzmq (cppzmq's fallback finder made an UNKNOWN target for the .so): the
# archive and what Debian built it with (pkg-config --static libzmq). The
# Kerberos libraries have no archive: they stay shared and are bundled.
swarm_archive(zmq_a zmq libzmq3-dev)
swarm_archive(sodium_a sodium libsodium-dev)
swarm_archive(pgm_a pgm libpgm-dev)
swarm_archive(norm_a norm libnorm-dev)
swarm_archive(protokit_a protokit libnorm-dev)
swarm_archive(bsd_a bsd libbsd-dev)
swarm_archive(md_a md libmd-dev)
find_library(gssapi_so gssapi_krb5 PATHS ${swarm_archive_dir}/mit-krb5 ${swarm_archive_dir} REQUIRED)
set_target_properties(libzmq PROPERTIES
    IMPORTED_LOCATION ${zmq_a}
    INTERFACE_LINK_LIBRARIES "${sodium_a};${pgm_a};${norm_a};${protokit_a};${gssapi_so};${bsd_a};${md_a};Threads::Threads;rt;m")

# The C++ and compiler runtimes too. Shared objects left are looked for in lib/
# beside the binary; DT_RPATH, not RUNPATH, so that the bundled libraries' own
# dependencies are found there too.
add_link_options(-static-libstdc++ -static-libgcc LINKER:--disable-new-dtags LINKER:--as-needed)
set(CMAKE_BUILD_RPATH "$ORIGIN/lib")
set(CMAKE_SKIP_BUILD_RPATH OFF)
