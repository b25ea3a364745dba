# What `morph-webhook serve` and `morph-webhook inbox` need: the SQLite inbox
# (morph::webhook_sqlite), CLI11 (Debian: libcli11-dev), Boost.Beast (libboost1.81-dev),
# prometheus-cpp's core (prometheus-cpp-dev) and Threads. Sets MORPH_WEBHOOK_SERVE_FOUND in the
# including directory. Imported targets are visible in the including directory only, so tools/,
# tests/serve/ and the demo each include this file (the lookups are cached).
include(${CMAKE_CURRENT_LIST_DIR}/MorphWebhookHttpStacks.cmake)
if(NOT TARGET CLI11::CLI11)
  find_package(CLI11 CONFIG QUIET)
endif()
if(NOT TARGET prometheus-cpp::core)
  find_package(prometheus-cpp CONFIG QUIET)
endif()
if(TARGET morph::webhook_sqlite AND TARGET CLI11::CLI11 AND TARGET Boost::headers
   AND TARGET prometheus-cpp::core AND Threads_FOUND)
  set(MORPH_WEBHOOK_SERVE_FOUND ON)
else()
  set(MORPH_WEBHOOK_SERVE_FOUND OFF)
endif()
