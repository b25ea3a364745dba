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
#include "morph/webhook/models/card_view_request.hpp"
#include "morph/webhook/models/company.hpp"
#include "morph/webhook/models/contact.hpp"
#include "morph/webhook/models/engagement.hpp"
#include "morph/webhook/models/event_type.hpp"
#include "morph/webhook/models/invoice.hpp"
#include "morph/webhook/models/invoice_item.hpp"
#include "morph/webhook/models/invoice_line_item.hpp"
#include "morph/webhook/models/opportunity.hpp"
#include "morph/webhook/models/pipeline.hpp"
#include "morph/webhook/models/scheduling_event.hpp"
#include "morph/webhook/models/slot.hpp"
#include "morph/webhook/models/stage.hpp"
#include "morph/webhook/models/transcript.hpp"
#include "morph/webhook/models/user.hpp"
#include "morph/webhook/models/workspace.hpp"

namespace morph::webhook {

/// The models this library types (each has a ModelDescription); bodies of every other model
/// are ResourceEvents.
using TypedModels = std::tuple<Engagement, Contact, Call, Company, User, Workspace, Opportunity,
                               Stage, Pipeline, Transcript, EventType, Slot, SchedulingEvent,
                               CardViewRequest, Invoice, InvoiceLineItem, InvoiceItem>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_HPP
