# Dependencies: an installed package first, FetchContent as the fallback
# (FIND_PACKAGE_ARGS needs CMake 3.24; older CMake only looks for the package).
include(FetchContent)

set(MORPH_WEBHOOK_SIMDJSON_MIN_VERSION 3.0.1)

if(NOT TARGET simdjson::simdjson)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.24)
    FetchContent_Declare(simdjson
      GIT_REPOSITORY https://github.com/simdjson/simdjson.git
      GIT_TAG v3.13.0
      GIT_SHALLOW TRUE
      FIND_PACKAGE_ARGS ${MORPH_WEBHOOK_SIMDJSON_MIN_VERSION} CONFIG)
    FetchContent_MakeAvailable(simdjson)
  else()
    find_package(simdjson ${MORPH_WEBHOOK_SIMDJSON_MIN_VERSION} CONFIG REQUIRED)
  endif()
endif()

# CLI11 (header-only) for the morph-webhook tool: installed first (Debian: libcli11-dev), else
# fetched, as simdjson above. Looked up here, at the top, so that every directory sees the
# target (tests/cli and tests/serve are configured before tools/).
if(MORPH_WEBHOOK_BUILD_TOOLS AND NOT TARGET CLI11::CLI11)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.24)
    FetchContent_Declare(CLI11
      GIT_REPOSITORY https://github.com/CLIUtils/CLI11.git
      GIT_TAG v2.4.2
      GIT_SHALLOW TRUE
      FIND_PACKAGE_ARGS CONFIG)
    FetchContent_MakeAvailable(CLI11)
  else()
    find_package(CLI11 CONFIG QUIET)
  endif()
endif()
