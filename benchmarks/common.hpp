/// @file common.hpp
/// @brief What every benchmark contender produces (Extracted), the small helpers they share
/// (event name, enums, RFC 3339 date-times, key classification) and the Contender interface.
///
/// The shared helpers are deliberately the same code for every non-morph contender, so the
/// differences measured are the JSON library and the way it is used, not the date parser.
#ifndef MORPH_WEBHOOK_BENCH_COMMON_HPP
#define MORPH_WEBHOOK_BENCH_COMMON_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "morph/webhook/types.hpp"

namespace morph_bench {

namespace mw = morph::webhook;

/// A body to parse. `capacity >= size + 64` bytes are readable from `data` (the benchmark keeps
/// every payload in a buffer with simdjson's padding after it, as a receiver can arrange when
/// it reads the body), so contenders that can parse in place may do so.
struct Body {
  const char* data = nullptr;  ///< First byte.
  std::size_t size = 0;        ///< Bytes of JSON.
  std::size_t capacity = 0;    ///< Readable bytes from data (>= size + SIMDJSON_PADDING).
  /// The JSON text.
  [[nodiscard]] std::string_view view() const noexcept { return {data, size}; }
};

/// A resource reference as the contenders extract it (string views into the library's storage).
struct Ref {
  std::string_view object;  ///< `object`, empty when absent.
  std::string_view model;   ///< `model`, empty when absent.
  std::string_view id;      ///< `id`, never empty.
};

/// A warning as the contenders extract it.
struct WarningOut {
  std::string_view code;                    ///< `code`, required.
  std::optional<std::string_view> message;  ///< `message`, optional.
};

/// One ref list plus whether the key was present (`[]` and absent are different).
struct RefVec {
  bool present = false;   ///< The key was in `fields`.
  std::vector<Ref> refs;  ///< The refs, in order. Capacity is kept across events.
};

/// The crmEngagement event, extracted: the same information morph's WebhookEvent carries
/// (minus raw JSON text of refs and rawResource, which no other library hands out as text).
struct Extracted {
  std::string_view event;                                     ///< `event`.
  mw::Trigger trigger = mw::Trigger::created;                 ///< From `event`.
  std::string_view model;                                     ///< `data.model`.
  std::string_view id;                                        ///< `data.id`.
  std::optional<mw::EnumField<mw::EngagementType>> type;      ///< `fields.type`.
  std::optional<mw::EnumField<mw::Direction>> direction;      ///< `fields.direction`.
  std::optional<mw::EnumField<mw::EngagementStatus>> status;  ///< `fields.status`.
  std::optional<std::string_view> title;                      ///< `fields.title`.
  std::optional<std::string_view> description;                ///< `fields.description`.
  std::optional<mw::Timestamp> started_at;                    ///< `fields.startedAt`.
  std::optional<mw::Timestamp> ended_at;                      ///< `fields.endedAt`.
  std::optional<std::int64_t> duration;                       ///< `fields.duration`.
  std::optional<Ref> owner;                                   ///< `fields.owner`.
  RefVec users;                                               ///< `fields.users`.
  RefVec companies;                                           ///< `fields.companies`.
  RefVec contacts;                                            ///< `fields.contacts`.
  RefVec opportunities;                                       ///< `fields.opportunities`.
  mw::Timestamp created_at;                                   ///< `data.createdAt`.
  mw::Timestamp updated_at;                                   ///< `data.updatedAt`.
  bool has_raw_resource = false;                              ///< `data.rawResource` present.
  bool raw_resource_is_null = false;                          ///< ... and is `null`.
  std::vector<WarningOut> warnings;                           ///< `data.warnings`, capacity kept.

  /// Resets every member; vectors keep their capacity (no allocation once warmed up).
  void clear() noexcept;
};

/// A benchmark contender: parses one body into its own reused output.
class Contender {
 public:
  virtual ~Contender() = default;
  /// Parses, checks and extracts `body`. False when the body is rejected.
  virtual bool parse(const Body& body) = 0;
  /// A canonical text of the last successful result, for the cross-check at startup.
  [[nodiscard]] virtual std::string digest() const = 0;
};

/// One registered contender.
struct ContenderInfo {
  std::string name;                      ///< Short name, e.g. "nlohmann".
  std::string label;                     ///< Table label, e.g. "nlohmann::json 3.11".
  std::unique_ptr<Contender> (*make)();  ///< Factory.
};

/// The contenders compiled into this binary, morph first.
std::vector<ContenderInfo> all_contenders();

// Factories, one per translation unit (defined only when the library was found).
std::unique_ptr<Contender> make_morph_lenient();
std::unique_ptr<Contender> make_morph_strict();
std::unique_ptr<Contender> make_morph_inplace();
std::unique_ptr<Contender> make_simdjson_ondemand();
std::unique_ptr<Contender> make_simdjson_dom();
std::unique_ptr<Contender> make_nlohmann();
std::unique_ptr<Contender> make_rapidjson();
std::unique_ptr<Contender> make_boost_json();

/// Canonical text of an Extracted (used by all non-morph contenders).
std::string digest(const Extracted& e);

// ---- shared helpers -------------------------------------------------------------------

/// Splits `model::trigger`; false when there is no `::` or the trigger is unknown.
bool split_event(std::string_view event, std::string_view& model, mw::Trigger& trigger) noexcept;

/// Decodes `fields.type` (unknown text kept, as morph's lenient policy does).
mw::EnumField<mw::EngagementType> decode_type(std::string_view text) noexcept;
/// Decodes `fields.direction`.
mw::EnumField<mw::Direction> decode_direction(std::string_view text) noexcept;
/// Decodes `fields.status`.
mw::EnumField<mw::EngagementStatus> decode_status(std::string_view text) noexcept;

/// Parses an RFC 3339 date-time (`Z` or numeric offset, any fraction precision); checks the
/// calendar (month lengths, leap years), hour < 24. False when invalid.
bool parse_timestamp(std::string_view text, mw::Timestamp& out) noexcept;

/// Accepts a JSON number as a duration: an integer >= 0, or a double with no fraction.
bool duration_from_double(double value, std::int64_t& out) noexcept;

/// The keys of `data` the contenders interpret.
enum class DataKey : std::uint8_t {
  object,
  model,
  id,
  fields,
  created_at,
  updated_at,
  raw_resource,
  warnings,
  other
};
/// The keys of `data.fields` the contenders interpret.
enum class FieldKey : std::uint8_t {
  type,
  direction,
  status,
  title,
  description,
  started_at,
  ended_at,
  duration,
  owner,
  users,
  companies,
  contacts,
  opportunities,
  other
};
/// Classifies a key of `data` (length switch, then one comparison).
DataKey classify_data_key(std::string_view key) noexcept;
/// Classifies a key of `data.fields`.
FieldKey classify_field_key(std::string_view key) noexcept;

/// The list in `e` named by a list key (users, companies, contacts, opportunities).
RefVec& ref_list(Extracted& e, FieldKey key) noexcept;

/// Checks done after extraction by every non-morph contender, and sets `e.trigger`: `event`
/// is `<model>::<trigger>`, `data.model` equals that model and is crmEngagement, `data.object`
/// was present and is "resource", `data.fields` was present, `data.id` is non-empty and both
/// date-times were present (they were parsed when read).
bool finish_envelope(Extracted& e, bool seen_object, std::string_view object,
                     bool seen_fields) noexcept;

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_COMMON_HPP
