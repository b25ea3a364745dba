/// @file webhook.hpp
/// @brief The single include of morph-webhook: the core API (types, errors, parser, headers,
/// owned copies, JSON output, dispatch, card view answers). HTTP-stack adapters live in
/// `morph/webhook/adapters/*.hpp` and are included separately.
#ifndef MORPH_WEBHOOK_HPP
#define MORPH_WEBHOOK_HPP

#include "morph/webhook/any_event.hpp"
#include "morph/webhook/card_view.hpp"
#include "morph/webhook/datetime.hpp"
#include "morph/webhook/dispatch.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/headers.hpp"
#include "morph/webhook/json.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/owned.hpp"
#include "morph/webhook/parser.hpp"
#include "morph/webhook/request.hpp"
#include "morph/webhook/types.hpp"
#include "morph/webhook/version.hpp"

#endif  // MORPH_WEBHOOK_HPP
