// Contender: morph::webhook::Parser, the library under test.
//
// Checks (everything the contract asks, see parser.hpp): exactly one well-formed JSON value
// (UTF-8, escapes, trailing bytes, the whole rawResource), duplicate keys in every object it
// interprets, JSON types of all known keys, required envelope keys, `event` form and model,
// RFC 3339 date-times (calendar-checked), duration >= 0 and integral, non-empty ref ids, limits
// (body size, depth, ref and warning counts). Strict additionally closes enums, requires
// `type`/`startedAt`, `Z` date-times and ref models.
// Extracts: every field, plus the raw JSON text of each ref and of rawResource (which the
// other contenders do not hand out).
// Reuse: one Parser per benchmark, reused across events, as the API documents.
#include <simdjson.h>

#include "common.hpp"
#include "morph/webhook/parser.hpp"

namespace morph_bench {
namespace {

Ref to_ref(const mw::ResourceRef& r) { return Ref{r.object, r.model, r.id}; }

void to_list(RefVec& out, const std::optional<mw::RefList>& list) {
  out.present = list.has_value();
  out.refs.clear();
  if (list) {
    for (const mw::ResourceRef& r : *list) out.refs.push_back(to_ref(r));
  }
}

// Only for the startup cross-check (never timed): WebhookEvent -> Extracted -> digest.
std::string digest_of(const mw::WebhookEvent& ev) {
  Extracted e;
  e.event = ev.event;
  e.trigger = ev.trigger;
  e.model = ev.model;
  e.id = ev.id;
  e.type = ev.fields.type;
  e.direction = ev.fields.direction;
  e.status = ev.fields.status;
  e.title = ev.fields.title;
  e.description = ev.fields.description;
  e.started_at = ev.fields.started_at;
  e.ended_at = ev.fields.ended_at;
  e.duration = ev.fields.duration;
  if (ev.fields.owner) e.owner = to_ref(*ev.fields.owner);
  to_list(e.users, ev.fields.users);
  to_list(e.companies, ev.fields.companies);
  to_list(e.contacts, ev.fields.contacts);
  to_list(e.opportunities, ev.fields.opportunities);
  e.created_at = ev.created_at;
  e.updated_at = ev.updated_at;
  e.has_raw_resource = ev.raw_resource.has_value();
  e.raw_resource_is_null = ev.raw_resource && *ev.raw_resource == "null";
  for (const mw::Warning& w : ev.warnings) e.warnings.push_back(WarningOut{w.code, w.message});
  return digest(e);
}

/// Parser::parse(std::string_view): the default API; copies the body into the Parser's
/// reused padded buffer.
class MorphContender final : public Contender {
 public:
  explicit MorphContender(mw::Policy policy, bool in_place) : in_place_(in_place) {
    mw::ParseOptions options;
    options.policy = policy;
    parser_.set_options(options);
  }

  bool parse(const Body& body) override {
    // As a handler holds it: the Result on the stack, no copy. (Storing it in a member would
    // copy the whole event on every call: harness cost, not parsing.)
    const auto result = run(body);
    escape(&result);
    last_ = &body;
    return result.has_value();
  }

  [[nodiscard]] std::string digest() const override {
    if (last_ == nullptr) return "error";
    const auto result = const_cast<MorphContender*>(this)->run(*last_);
    return result ? digest_of(*result) : "error";
  }

 private:
  mw::Result<mw::WebhookEvent> run(const Body& body) {
    // In place: the benchmark's buffers have SIMDJSON_PADDING after the body.
    if (in_place_) {
      return parser_.parse(simdjson::padded_string_view(body.data, body.size, body.capacity));
    }
    return parser_.parse(body.view());
  }

  /// Makes the optimizer assume the event is read (what benchmark::DoNotOptimize does).
  static void escape(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
    asm volatile("" : : "r"(p) : "memory");
#else
    static const void* volatile sink;
    sink = p;
#endif
  }

  mw::Parser parser_;
  bool in_place_;
  const Body* last_ = nullptr;  // digest() parses it again
};

}  // namespace

std::unique_ptr<Contender> make_morph_lenient() {
  return std::make_unique<MorphContender>(mw::Policy::lenient, false);
}
std::unique_ptr<Contender> make_morph_strict() {
  return std::make_unique<MorphContender>(mw::Policy::strict, false);
}
std::unique_ptr<Contender> make_morph_inplace() {
  return std::make_unique<MorphContender>(mw::Policy::lenient, true);
}

/// The error text of morph on a body (for the startup report of the invalid payload).
std::string morph_error_text(std::string_view body) {
  mw::Parser parser;
  auto r = parser.parse(body);
  if (r) return "accepted";
  return mw::to_string(r.error());
}

}  // namespace morph_bench
