# The HTTP stacks the receivers, the end-to-end tests and the README's snippets are built with:
# Threads, cpp-httplib (imported target httplib::httplib) and Boost (Boost::headers, for Beast).
# Imported targets are visible in the including directory only, so every directory that needs
# them includes this file; each lookup runs only when its target does not exist yet.
find_package(Threads)

# cpp-httplib: its CMake package if installed, else pkg-config (Debian's libcpp-httplib-dev
# ships only a .pc file and a compiled library), else the bare header.
if(NOT TARGET httplib::httplib)
  find_package(httplib CONFIG QUIET)
endif()
if(NOT TARGET httplib::httplib)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(MORPH_WEBHOOK_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
    if(MORPH_WEBHOOK_HTTPLIB_FOUND)
      add_library(httplib::httplib INTERFACE IMPORTED)
      target_link_libraries(httplib::httplib INTERFACE PkgConfig::MORPH_WEBHOOK_HTTPLIB)
    endif()
  endif()
endif()
if(NOT TARGET httplib::httplib)
  find_path(MORPH_WEBHOOK_HTTPLIB_INCLUDE_DIR httplib.h)
  if(MORPH_WEBHOOK_HTTPLIB_INCLUDE_DIR AND Threads_FOUND)
    add_library(httplib::httplib INTERFACE IMPORTED)
    target_include_directories(httplib::httplib INTERFACE ${MORPH_WEBHOOK_HTTPLIB_INCLUDE_DIR})
    find_library(MORPH_WEBHOOK_HTTPLIB_LIBRARY NAMES cpp-httplib httplib)
    if(MORPH_WEBHOOK_HTTPLIB_LIBRARY)
      target_link_libraries(httplib::httplib INTERFACE ${MORPH_WEBHOOK_HTTPLIB_LIBRARY})
    endif()
    target_link_libraries(httplib::httplib INTERFACE Threads::Threads)
  endif()
endif()

# Boost.Beast (header-only; Boost.System is header-only since 1.69).
if(NOT TARGET Boost::headers)
  find_package(Boost 1.75 CONFIG QUIET)
endif()
if(NOT TARGET Boost::headers)
  find_package(Boost 1.75 QUIET)
endif()
