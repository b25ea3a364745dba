# morph::webhook_redis: the Redis inbox (include/morph/webhook/inbox/redis.hpp), a compiled
# library of its own so the core stays header-only. Built only when hiredis is found through
# pkg-config (Debian: libhiredis-dev).
find_package(PkgConfig QUIET)
find_package(Threads QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(hiredis QUIET IMPORTED_TARGET hiredis)
endif()
if(hiredis_FOUND AND Threads_FOUND)
  add_library(morph_webhook_redis src/inbox/redis.cpp)
  add_library(morph::webhook_redis ALIAS morph_webhook_redis)
  set_target_properties(morph_webhook_redis PROPERTIES
    EXPORT_NAME webhook_redis
    OUTPUT_NAME morph_webhook_redis
    POSITION_INDEPENDENT_CODE ON)
  if(NOT PROJECT_IS_TOP_LEVEL)
    # As a subproject, compiled only when the parent links it.
    set_target_properties(morph_webhook_redis PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  target_link_libraries(morph_webhook_redis PUBLIC morph::webhook PRIVATE PkgConfig::hiredis
                        Threads::Threads)
  # The project's warning and sanitizer flags, without exporting the helper target itself.
  target_compile_options(morph_webhook_redis PRIVATE
    $<TARGET_PROPERTY:morph_webhook_warnings,INTERFACE_COMPILE_OPTIONS>)
  target_link_options(morph_webhook_redis PRIVATE
    $<TARGET_PROPERTY:morph_webhook_warnings,INTERFACE_LINK_OPTIONS>)
  set(MORPH_WEBHOOK_HAS_REDIS ON)
  message(STATUS "morph-webhook: hiredis ${hiredis_VERSION} found, building morph::webhook_redis")
else()
  set(MORPH_WEBHOOK_HAS_REDIS OFF)
  message(STATUS "morph-webhook: hiredis not found (pkg-config hiredis), morph::webhook_redis not built")
endif()
