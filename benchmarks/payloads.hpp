/// @file payloads.hpp
/// @brief The benchmark payloads: three stored in benchmarks/data/, the large ones generated.
#ifndef MORPH_WEBHOOK_BENCH_PAYLOADS_HPP
#define MORPH_WEBHOOK_BENCH_PAYLOADS_HPP

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common.hpp"

namespace morph_bench {

/// One payload: its bytes (padded) and the events in it (one, or one per NDJSON line).
struct Payload {
  std::string name;         ///< Benchmark name part, e.g. "typical".
  std::string description;  ///< One line for the table heading.
  bool valid = true;        ///< Whether every event must be accepted (false: all rejected).
  std::string model = "crmEngagement";  ///< The Morph model of its events.
  simdjson::padded_string bytes;        ///< The whole payload, SIMDJSON_PADDING after it.
  std::vector<Body> events;             ///< One Body per event, views into `bytes`.
};

/// Builds every payload; reads seed.json, typical.json, invalid.json and the typed models' samples
/// from `data_dir` and generates large_description, large_raw, many_refs and ndjson. Exits on a
/// missing file.
std::vector<Payload> make_payloads(const std::string& data_dir);

/// One typical-like crmEngagement event (minified, as Morph sends it): ~10 refs, one warning,
/// a rawResource object. `index` varies ids, type, times and text. `contacts` is the number of
/// contact refs; a non-empty `description` or `raw_resource` (raw JSON) replaces the default.
/// Writes `p` to `dir`/NAME.json (NAME.ndjson for the NDJSON log); returns the path, or an
/// empty string when the file cannot be written.
std::string write_payload(const std::string& dir, const Payload& p);

std::string make_event(std::size_t index, std::size_t contacts = 3,
                       const std::string& description = {}, const std::string& raw_resource = {});

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_PAYLOADS_HPP
