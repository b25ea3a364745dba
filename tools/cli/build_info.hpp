/// @file build_info.hpp
/// @brief What `morph-webhook --version` prints: the version (include/morph/webhook/version.hpp)
/// and the commit the binary was built from (generated at build time by cmake/build_info.cmake).
#ifndef MORPH_WEBHOOK_CLI_BUILD_INFO_HPP
#define MORPH_WEBHOOK_CLI_BUILD_INFO_HPP

#include "morph/webhook/version.hpp"
#include "morph_webhook_build_info.hpp"

namespace morph::webhook::cli {

/// `morph-webhook 0.1.0 (commit 0123456789ab)`; the commit reads `unknown` outside git, and
/// ends in `-dirty` when the sources differed from it.
inline constexpr const char* version_line =
    "morph-webhook " MORPH_WEBHOOK_VERSION_STRING " (commit " MORPH_WEBHOOK_GIT_COMMIT ")";

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_BUILD_INFO_HPP
