# morph::webhook_redis: the Redis inbox (include/morph/webhook/inbox/redis.hpp), a compiled
# library of its own so the core stays header-only. Built only when hiredis is found through
# pkg-config (Debian: libhiredis-dev).
find_package(PkgConfig QUIET)
find_package(Threads QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(hiredis QUIET IMPORTED_TARGET hiredis)
endif()
if(hiredis_FOUND AND Threads_FOUND)
  morph_webhook_add_inbox_backend(redis src/inbox/redis.cpp PkgConfig::hiredis Threads::Threads)
  set(MORPH_WEBHOOK_HAS_REDIS ON)
  message(STATUS "morph-webhook: hiredis ${hiredis_VERSION} found, building morph::webhook_redis")
else()
  set(MORPH_WEBHOOK_HAS_REDIS OFF)
  message(STATUS "morph-webhook: hiredis not found (pkg-config hiredis), morph::webhook_redis not built")
endif()
