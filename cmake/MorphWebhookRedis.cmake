# morph::webhook_redis: the Redis inbox (include/morph/webhook/inbox/redis.hpp), a compiled
# library of its own so the core stays header-only. Built only when hiredis is found through
# pkg-config (Debian: libhiredis-dev).
#
# Its Lua scripts (src/inbox/redis/*.lua, one per transition) are embedded at build time: this
# file, run as a script (cmake -P), writes them into a generated header as raw string literals,
# so the library never reads a file at run time and an edited script rebuilds it.

# The scripts, each becoming morph::webhook::redis_lua::<name> (a std::string_view) in the
# generated redis_scripts.hpp. common.lua holds the helpers every other script starts with.
set(MORPH_WEBHOOK_REDIS_SCRIPTS
    common append lease ack fail extend requeue expire stats dead_letters open migrate_v1
    get list replay purge migrate_v2 export_batch import_batch)

if(CMAKE_SCRIPT_MODE_FILE)
  # cmake -DSOURCE_DIR=... -DOUTPUT=... -P MorphWebhookRedis.cmake
  set(text "// Generated from src/inbox/redis/*.lua by cmake/MorphWebhookRedis.cmake: do not edit.\n")
  string(APPEND text "#pragma once\n#include <string_view>\n\nnamespace morph::webhook::redis_lua {\n")
  foreach(script IN LISTS MORPH_WEBHOOK_REDIS_SCRIPTS)
    file(READ ${SOURCE_DIR}/src/inbox/redis/${script}.lua body)
    string(FIND "${body}" ")lua\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "src/inbox/redis/${script}.lua contains )lua\", which ends the literal")
    endif()
    string(APPEND text "\n/// src/inbox/redis/${script}.lua\ninline constexpr std::string_view ${script} = R\"lua(${body})lua\";\n")
  endforeach()
  string(APPEND text "\n}  // namespace morph::webhook::redis_lua\n")
  # Only a changed header is rewritten, so an unchanged script rebuilds nothing.
  file(WRITE ${OUTPUT}.tmp "${text}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
  file(REMOVE ${OUTPUT}.tmp)
  return()
endif()

find_package(PkgConfig QUIET)
find_package(Threads QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(hiredis QUIET IMPORTED_TARGET hiredis)
endif()
if(hiredis_FOUND AND Threads_FOUND)
  set(_morph_redis_generated ${PROJECT_BINARY_DIR}/generated/morph_webhook_redis)
  set(_morph_redis_header ${_morph_redis_generated}/redis_scripts.hpp)
  set(_morph_redis_lua)
  foreach(script IN LISTS MORPH_WEBHOOK_REDIS_SCRIPTS)
    list(APPEND _morph_redis_lua ${PROJECT_SOURCE_DIR}/src/inbox/redis/${script}.lua)
  endforeach()
  add_custom_command(
    OUTPUT ${_morph_redis_header}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${_morph_redis_header}
            -P ${CMAKE_CURRENT_LIST_FILE}
    DEPENDS ${_morph_redis_lua} ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "Embedding the Redis inbox's Lua scripts"
    VERBATIM)
  morph_webhook_add_inbox_backend(redis src/inbox/redis.cpp PkgConfig::hiredis Threads::Threads)
  target_sources(morph_webhook_redis PRIVATE ${_morph_redis_header}
    ${PROJECT_SOURCE_DIR}/src/inbox/redis_sentinel.cpp)
  target_include_directories(morph_webhook_redis PRIVATE ${_morph_redis_generated})
  set(MORPH_WEBHOOK_HAS_REDIS ON)
  message(STATUS "morph-webhook: hiredis ${hiredis_VERSION} found, building morph::webhook_redis")
else()
  set(MORPH_WEBHOOK_HAS_REDIS OFF)
  message(STATUS "morph-webhook: hiredis not found (pkg-config hiredis), morph::webhook_redis not built")
endif()
