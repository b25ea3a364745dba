# morph_webhook_use_systemd(<target>): with libsystemd (Debian: libsystemd-dev) found through
# pkg-config, <target> links it and is compiled with MORPH_WEBHOOK_CLI_SYSTEMD, which makes
# tools/cli/systemd_notify.hpp speak systemd's notification protocol (READY=1, WATCHDOG=1,
# STOPPING=1). Without it the tool builds as before and the notifications are no-ops.
option(MORPH_WEBHOOK_WITH_SYSTEMD "Use libsystemd for sd_notify when it is found" ON)

function(morph_webhook_use_systemd target)
  if(NOT MORPH_WEBHOOK_WITH_SYSTEMD)
    return()
  endif()
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND AND NOT TARGET PkgConfig::libsystemd)
    pkg_check_modules(libsystemd QUIET IMPORTED_TARGET libsystemd)
  endif()
  if(TARGET PkgConfig::libsystemd)
    target_link_libraries(${target} PRIVATE PkgConfig::libsystemd)
    target_compile_definitions(${target} PRIVATE MORPH_WEBHOOK_CLI_SYSTEMD=1)
    message(STATUS "morph-webhook: libsystemd ${libsystemd_VERSION} found, serve notifies systemd")
  else()
    message(STATUS "morph-webhook: libsystemd not found, serve does not notify systemd "
                   "(Debian: apt-get install libsystemd-dev)")
  endif()
endfunction()
