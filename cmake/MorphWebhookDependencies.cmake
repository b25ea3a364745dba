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
