/// @file models.hpp
/// @brief Every typed Morph model, and TypedModels: the list the Dispatcher types events by.
///
/// To add a model: its header under `models/`, included here, and its type in TypedModels
/// (see "How to add a model" in model.hpp).
#ifndef MORPH_WEBHOOK_MODELS_HPP
#define MORPH_WEBHOOK_MODELS_HPP

#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/models/call.hpp"
#include "morph/webhook/models/contact.hpp"
#include "morph/webhook/models/engagement.hpp"
#include "morph/webhook/models/event_type.hpp"
#include "morph/webhook/models/scheduling_event.hpp"
#include "morph/webhook/models/transcript.hpp"

namespace morph::webhook {

/// The models this library types (each has a ModelDescription); bodies of every other model
/// are ResourceEvents.
using TypedModels = std::tuple<Engagement, Contact, Call, Transcript, EventType, SchedulingEvent>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_HPP
