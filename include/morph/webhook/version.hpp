/// @file version.hpp
/// @brief The library's version, in one place (CMake reads it from here).
#ifndef MORPH_WEBHOOK_VERSION_HPP
#define MORPH_WEBHOOK_VERSION_HPP

/// Full version string of morph-webhook.
#define MORPH_WEBHOOK_VERSION_STRING "0.1.0"
/// Major version.
#define MORPH_WEBHOOK_VERSION_MAJOR 0
/// Minor version.
#define MORPH_WEBHOOK_VERSION_MINOR 1
/// Patch version.
#define MORPH_WEBHOOK_VERSION_PATCH 0

#endif  // MORPH_WEBHOOK_VERSION_HPP
