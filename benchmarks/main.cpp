// morph_webhook_bench: morph::webhook against the JSON libraries a user would otherwise use,
// doing the same work (parse, check, extract every field), with allocation counts, and a
// Markdown comparison table printed at the end.
//
//   morph_webhook_bench [--data-dir=DIR] [--no-check] [--markdown=FILE]
//                       [--write-payloads=DIR] [--node=off] [--node-min-time=S]
//                       [--benchmark_* flags of Google Benchmark]
//   morph_webhook_bench --profile=PAYLOAD/CONTENDER [--iterations=N]
//       runs one contender N times (default 100000) outside Google Benchmark, for
//       perf record / valgrind --tool=callgrind.
//
// Before measuring, every contender is run on every payload and its extracted result compared
// with morph::webhook's (the cross-check): a contender that does less than the others, or
// disagrees, stops the run.
//
// After Google Benchmark, the Node.js contenders (JSON.parse + zod, node/zod_bench.mjs) run on
// the same payloads in a child process and join the table; skipped with a message when node
// or the npm packages are missing (`npm ci` in benchmarks/node), or with --node=off.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "common.hpp"
#include "model_benchmarks.hpp"
#include "node_contenders.hpp"
#include "payloads.hpp"

#define MORPH_BENCH_STR2(x) #x
#define MORPH_BENCH_STR(x) MORPH_BENCH_STR2(x)

#ifndef MORPH_BENCH_DATA_DIR
#define MORPH_BENCH_DATA_DIR "benchmarks/data"
#endif

namespace morph_bench {

std::unique_ptr<Contender> make_dom_parse_only();
std::string morph_error_text(std::string_view body);
#if MORPH_BENCH_HAVE_HEADERS
std::unique_ptr<Contender> make_validate_headers();
std::unique_ptr<Contender> make_parse_request();
std::unique_ptr<Contender> make_parse_request_own_parser();
#endif

std::vector<ContenderInfo> all_contenders() {
  std::vector<ContenderInfo> out;
  out.push_back({"morph_lenient", "morph::webhook Parser, lenient", &make_morph_lenient});
  out.push_back({"morph_strict", "morph::webhook Parser, strict", &make_morph_strict});
  out.push_back({"morph_inplace", "morph::webhook Parser, lenient, in place (padded_string_view)",
                 &make_morph_inplace});
  out.push_back({"ondemand", "simdjson On-Demand, hand-written", &make_simdjson_ondemand});
  out.push_back({"dom", "simdjson DOM, hand-written", &make_simdjson_dom});
#if MORPH_BENCH_HAVE_NLOHMANN
  out.push_back({"nlohmann", "nlohmann::json", &make_nlohmann});
#endif
#if MORPH_BENCH_HAVE_RAPIDJSON
  out.push_back({"rapidjson", "RapidJSON", &make_rapidjson});
#endif
#if MORPH_BENCH_HAVE_BOOST_JSON
  out.push_back({"boost_json", "Boost.JSON", &make_boost_json});
#endif
  return out;
}

namespace {

const ContenderInfo kBaseline{
    "dom_parse_only", "(baseline) simdjson DOM parse() only, no extraction", &make_dom_parse_only};

// What the table needs to know about each registered benchmark.
struct BenchInfo {
  std::string payload;
  std::string contender;  // ContenderInfo::name
  std::string label;
  std::size_t events = 1;
  std::size_t bytes = 0;
};
std::map<std::string, BenchInfo> g_info;
std::vector<std::string> g_order;  // registration order

// One table: a payload, or the request section (typical body + 12 headers).
struct Section {
  std::string name;
  std::string description;
  std::size_t events = 1;
  std::size_t bytes = 0;
  std::string model;  // the Morph model of its events; empty for sections without a payload
  bool valid = true;  ///< Every event must be accepted (false: rejected).
};
std::vector<Section> g_sections;

void run_contender(benchmark::State& state, const Payload& payload,
                   std::unique_ptr<Contender> (*make)(), bool expect) {
  std::unique_ptr<Contender> contender = make();
  // Warm-up, untimed: buffers reach their steady size (morph's documented contract).
  for (const Body& body : payload.events) benchmark::DoNotOptimize(contender->parse(body));
  bool wrong_verdict = false;
  const std::uint64_t allocs_before = allocation_count();
  for (auto _ : state) {
    for (const Body& body : payload.events) {
      const bool ok = contender->parse(body);
      wrong_verdict |= ok != expect;
    }
  }
  const std::uint64_t allocs = allocation_count() - allocs_before;
  if (wrong_verdict) state.SkipWithError("a body got the wrong verdict");
  const auto iterations = static_cast<double>(state.iterations());
  const double events = iterations * static_cast<double>(payload.events.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.bytes.size()));
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["time/event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs/event"] =
      allocation_counting_enabled() ? static_cast<double>(allocs) / events : -1.0;
}

void register_one(const std::string& section, const Payload& p, const ContenderInfo& c,
                  bool expect) {
  const std::string name = section + "/" + c.name;
  auto make = c.make;
  benchmark::RegisterBenchmark(name.c_str(), [&p, make, expect](benchmark::State& s) {
    run_contender(s, p, make, expect);
  })->Unit(benchmark::kNanosecond);
  g_info[name] = BenchInfo{section, c.name, c.label, p.events.size(), p.bytes.size()};
  g_order.push_back(name);
}

/// The contenders of a payload: `engagement` for crmEngagement, the model's own otherwise.
std::vector<ContenderInfo> contenders_of(const Payload& p,
                                         const std::vector<ContenderInfo>& engagement) {
  return p.model == "crmEngagement" ? engagement : model_contenders(p.model);
}

void register_all(const std::vector<Payload>& payloads,
                  const std::vector<ContenderInfo>& engagement) {
  for (const Payload& p : payloads) {
    g_sections.push_back(
        Section{p.name, p.description, p.events.size(), p.bytes.size(), p.model, p.valid});
    for (const ContenderInfo& c : contenders_of(p, engagement)) {
      register_one(p.name, p, c, p.valid);
    }
    if (p.valid) register_one(p.name, p, kBaseline, true);  // meaningless on an invalid body
  }
#if MORPH_BENCH_HAVE_HEADERS
  // Headers and the whole request, with the typical body.
  for (const Payload& p : payloads) {
    if (p.name != "typical") continue;
    g_sections.push_back(Section{"request",
                                 "a request: 12 realistic headers (mixed case, "
                                 "std::vector<std::pair<std::string, std::string>>) + the "
                                 "typical body",
                                 1, p.bytes.size(), p.model, true});
    register_one("request", p, engagement.front(), true);
    register_one("request", p,
                 ContenderInfo{"validate_headers", "validate_headers() only (12 headers)",
                               &make_validate_headers},
                 true);
    register_one("request", p,
                 ContenderInfo{"parse_request", "parse_request(headers, body), thread's Parser",
                               &make_parse_request},
                 true);
    register_one("request", p,
                 ContenderInfo{"parse_request_own_parser",
                               "parse_request(parser, headers, body), own Parser",
                               &make_parse_request_own_parser},
                 true);
  }
#endif
}

// ---- cross-check ------------------------------------------------------------------------

std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t pos = 0;
  while (pos < a.size() && pos < b.size() && a[pos] == b[pos]) ++pos;
  const std::size_t start = a.rfind('\n', pos == 0 ? 0 : pos - 1);
  const std::size_t from = start == std::string::npos ? 0 : start + 1;
  auto line = [from](const std::string& s) {
    const std::size_t end = s.find('\n', from);
    std::string l = s.substr(from, end == std::string::npos ? std::string::npos : end - from);
    if (l.size() > 160) l = l.substr(0, 160) + "...";
    return l;
  };
  return "morph: " + line(a) + "\n      other: " + line(b);
}

bool cross_check(const std::vector<Payload>& payloads,
                 const std::vector<ContenderInfo>& engagement) {
  bool all_ok = true;
  std::size_t comparisons = 0;
  for (const Payload& p : payloads) {
    const std::vector<ContenderInfo> contenders = contenders_of(p, engagement);
    std::vector<std::unique_ptr<Contender>> instances;
    for (const ContenderInfo& c : contenders) instances.push_back(c.make());
    for (std::size_t e = 0; e < p.events.size(); ++e) {
      const Body& body = p.events[e];
      const bool morph_ok = instances[0]->parse(body);
      const std::string expected = instances[0]->digest();
      if (morph_ok != p.valid) {
        std::printf("cross-check: %s event %zu: morph %s it\n", p.name.c_str(), e,
                    morph_ok ? "accepted" : "rejected");
        if (!morph_ok) std::printf("  %s\n", morph_error_text(body.view()).c_str());
        all_ok = false;
      }
      for (std::size_t i = 1; i < instances.size(); ++i) {
        const bool ok = instances[i]->parse(body);
        ++comparisons;
        if (ok != p.valid) {
          std::printf("cross-check: %s event %zu: %s %s it, expected %s\n", p.name.c_str(), e,
                      contenders[i].name.c_str(), ok ? "accepted" : "rejected",
                      p.valid ? "accept" : "reject");
          all_ok = false;
        } else if (ok && morph_ok) {
          const std::string got = instances[i]->digest();
          if (got != expected) {
            std::printf("cross-check: %s event %zu: %s extracted something else\n      %s\n",
                        p.name.c_str(), e, contenders[i].name.c_str(),
                        first_difference(expected, got).c_str());
            all_ok = false;
          }
        }
      }
    }
    if (!p.valid) {
      std::printf("cross-check: %s: morph says: %s\n", p.name.c_str(),
                  morph_error_text(p.events.front().view()).c_str());
    }
  }
  std::printf("cross-check: %s (%zu payloads, %zu event comparisons)\n\n",
              all_ok ? "every contender extracts the same event as morph::webhook" : "FAILED",
              payloads.size(), comparisons);
  return all_ok;
}

// ---- comparison table -------------------------------------------------------------------

struct Row {
  double cpu_ns = 0;  // per iteration
  double allocs = 0;
  bool error = false;
  std::string error_message;
};

class TableReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const std::string name = run.run_name.function_name;
      const bool aggregate = run.run_type == Run::RT_Aggregate;
      if (aggregate && run.aggregate_name != "median") continue;
      if (!aggregate && medians_.count(name) != 0) continue;
      Row row;
      row.error = run.error_occurred;
      row.error_message = run.error_message;
      row.cpu_ns = run.GetAdjustedCPUTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      auto it = run.counters.find("allocs/event");
      row.allocs = it == run.counters.end() ? 0.0 : static_cast<double>(it->second);
      rows_[name] = row;
      if (aggregate) medians_[name] = true;
    }
  }
  [[nodiscard]] const std::map<std::string, Row>& rows() const { return rows_; }
  [[nodiscard]] bool used_medians() const { return !medians_.empty(); }

 private:
  std::map<std::string, Row> rows_;
  std::map<std::string, bool> medians_;
};

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string human_rate(double per_second) {
  if (per_second >= 1e6) return fmt("%.2f M", per_second / 1e6);
  if (per_second >= 1e3) return fmt("%.1f k", per_second / 1e3);
  return fmt("%.1f", per_second);
}

std::string human_ns(double ns) {
  if (ns >= 1e6) return fmt("%.2f ms", ns / 1e6);
  if (ns >= 1e4) return fmt("%.1f µs", ns / 1e3);
  return fmt("%.0f ns", ns);
}

std::string table_row(const std::string& label, double ns, double bytes_per_event, double allocs,
                      double base) {
  return "| " + label + " | " + human_ns(ns) + " | " +
         (bytes_per_event > 0 ? fmt("%.2f", bytes_per_event / ns) : std::string("-")) + " | " +
         human_rate(1e9 / ns) + " | " + (allocs < 0 ? std::string("n/a") : fmt("%.2f", allocs)) +
         " | " + (base > 0 ? fmt("%.2f", ns / base) : std::string("-")) + " |\n";
}

// The Node rows of a section: the baseline (no checks) only where the body is valid.
std::string node_rows(const std::vector<ExternalRow>& rows, const std::string& section, bool valid,
                      double bytes_per_event, double base) {
  std::string out;
  for (const ExternalRow& r : rows) {
    if (r.payload != section || (r.baseline && !valid)) continue;
    const std::size_t expected = valid ? r.events : 0;
    if (!r.baseline && r.accepted != expected) {
      out += "| " + r.label + " | error: accepted " + std::to_string(r.accepted) + " of " +
             std::to_string(r.events) + " events, expected " + std::to_string(expected) +
             " | | | | |\n";
      continue;
    }
    out += table_row(r.label, r.ns_per_event, bytes_per_event, -1, base);
  }
  return out;
}

std::string make_table(const TableReporter& reporter, const std::string& context,
                       const NodeResults& node_results) {
  const std::vector<ExternalRow>& node = node_results.rows;
  std::string out = "# morph::webhook benchmark comparison\n\nCPU time per event (";
  out += reporter.used_medians() ? "median of the repetitions" : "single run";
  out +=
      "); GB/s = body bytes / time; ratio = contender time / morph::webhook lenient time "
      "(higher = slower than morph).\n\n" +
      context + (node_results.note.empty() ? "" : "- " + node_results.note + "\n");
  std::map<std::string, double> morph_ns;  // payload -> morph lenient ns/event
  for (const Section& p : g_sections) {
    std::vector<std::string> names;
    for (const std::string& n : g_order) {
      if (g_info[n].payload == p.name && reporter.rows().count(n) != 0) names.push_back(n);
    }
    if (names.empty()) continue;
    const std::size_t events = p.events;
    const double bytes_per_event = static_cast<double>(p.bytes) / static_cast<double>(events);
    double base = 0;
    auto morph = reporter.rows().find(p.name + "/morph_lenient");
    if (morph != reporter.rows().end() && !morph->second.error) {
      base = morph->second.cpu_ns / static_cast<double>(events);
      morph_ns[p.name] = base;
    }
    out += "\n### " + p.name + ": " + p.description + "\n\n";
    out += "| contender | time/event | GB/s | events/s | allocs/event | ratio |\n";
    out += "|---|---:|---:|---:|---:|---:|\n";
    for (const std::string& n : names) {
      const Row& row = reporter.rows().at(n);
      if (row.error) {
        out += "| " + g_info[n].label + " | error: " + row.error_message + " | | | | |\n";
        continue;
      }
      const double ns = row.cpu_ns / static_cast<double>(events);
      const bool no_body = g_info[n].contender == "validate_headers";  // reads no body bytes
      out += table_row(g_info[n].label, ns, no_body ? 0 : bytes_per_event, row.allocs, base);
    }
    out += node_rows(node, p.name, p.valid, bytes_per_event, base);
  }

  // The performance targets, measured (reported, not asserted).
  auto ns_of = [&](const std::string& name, std::size_t events) -> double {
    auto it = reporter.rows().find(name);
    if (it == reporter.rows().end() || it->second.error) return 0;
    return it->second.cpu_ns / static_cast<double>(events);
  };
  out += "\n### Targets\n\n";
  const double m = ns_of("typical/morph_lenient", 1);
  if (m > 0) {
    const double dom = ns_of("typical/dom", 1);
    const double nl = ns_of("typical/nlohmann", 1);
    const double allocs = reporter.rows().at("typical/morph_lenient").allocs;
    const double in_place = ns_of("typical/morph_inplace", 1);
    if (dom > 0 && in_place > 0) {
      // Like for like: the DOM contender parses the benchmark's padded buffer in place, as
      // Parser::parse(padded_string_view) does; the string_view overload also copies the body.
      out += "- typical: Parser::parse in place " + human_ns(in_place) +
             " vs simdjson DOM extraction in place " + human_ns(dom) + ": " +
             (in_place <= dom ? "MET" : "MISSED") + " (target: <=); copying overload " +
             human_ns(m) + " (" + fmt("%.2f", m / dom) + "x DOM)\n";
    }
    if (nl > 0) {
      out += "- typical: nlohmann / morph = " + fmt("%.1f", nl / m) +
             "x: " + (nl / m >= 15 ? "MET" : "MISSED") + " (target: >= 15x)\n";
    }
    out += "- typical: allocations per event = " + fmt("%.2f", allocs) + ": " +
           (allocs == 0 ? "MET" : "MISSED") + " (target: 0)\n";
    // Morph's own stack, for orientation (no target).
    for (const ExternalRow& r : node) {
      if (r.payload != "typical" || r.baseline || r.accepted != r.events) continue;
      out += "- typical: " + r.label + " / morph = " + fmt("%.1f", r.ns_per_event / m) + "x\n";
    }
  }
  for (const Section& section : g_sections) {
    // The payloads of the other typed models, each against its DOM contender.
    if (section.model.empty() || section.model == "crmEngagement") continue;
    const char* model = section.name.c_str();
    const double lenient = ns_of(std::string(model) + "/morph_lenient", 1);
    const double dom = ns_of(std::string(model) + "/dom", 1);
    if (lenient > 0 && dom > 0) {
      out += std::string("- ") + model + ": Parser::parse_as<Model> " + human_ns(lenient) +
             " vs simdjson DOM extraction in place " + human_ns(dom) + " = " +
             fmt("%.2f", lenient / dom) + "x: " + (lenient <= dom ? "MET" : "MISSED") +
             " (target: <= 1.0x)\n";
    }
  }
  for (const char* large : {"large_description", "large_raw"}) {
    const double lm = ns_of(std::string(large) + "/morph_lenient", 1);
    const double lb = ns_of(std::string(large) + "/dom_parse_only", 1);
    if (lm > 0 && lb > 0) {
      out += std::string("- ") + large + ": morph throughput = " + fmt("%.0f", 100 * lb / lm) +
             "% of bare DOM parse(): " + (lb / lm >= 0.5 ? "MET" : "MISSED") +
             " (target: >= 50%)\n";
    }
  }
  return out;
}

// Compiler and simdjson kernels: On-Demand (used by morph::webhook and the On-Demand
// contender) navigates with code compiled for the kernel the compiler flags allow; DOM
// dispatches at run time.
std::string build_context() {
  std::string out = "- compiler: ";
#if defined(__clang__)
  out += "clang ";
#elif defined(__GNUC__)
  out += "g++ ";
#endif
#if defined(__VERSION__)
  out += __VERSION__;
#endif
#if defined(NDEBUG)
  out += ", NDEBUG";
#else
  out += ", assertions ON (not a Release build)";
#endif
#if defined(__OPTIMIZE__)
  out += ", optimized";
#else
  out += ", NOT optimized";
#endif
#if defined(__AVX2__)
  out += ", AVX2 enabled at compile time";
#else
  out += ", baseline x86-64 ISA (no -march)";
#endif
  // With a shared libsimdjson, On-Demand's stage 1 and string unescaping go through the
  // run-time selected kernel too; only the inlined value navigation is compiled per flags.
  out += "\n- simdjson " MORPH_BENCH_STR(SIMDJSON_VERSION) ": run-time kernel ";
  out += simdjson::get_active_implementation()->name();
  out +=
      " (DOM, and On-Demand's stage 1 and string unescaping); On-Demand's inlined "
      "navigation compiled as ";
  out += MORPH_BENCH_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);
  out += "\n";
  return out;
}

// --profile: one contender, a fixed number of passes over one payload, nothing else.
int profile(const std::vector<Payload>& payloads, const std::vector<ContenderInfo>& contenders,
            const std::string& what, long iterations) {
  const std::size_t slash = what.find('/');
  const std::string payload_name = what.substr(0, slash);
  const std::string contender_name = slash == std::string::npos ? "" : what.substr(slash + 1);
  const Payload* payload = nullptr;
  for (const Payload& p : payloads) {
    if (p.name == payload_name) payload = &p;
  }
  const ContenderInfo* contender = contender_name == kBaseline.name ? &kBaseline : nullptr;
  const std::vector<ContenderInfo> of_payload =
      payload == nullptr ? contenders : contenders_of(*payload, contenders);
  for (const ContenderInfo& c : of_payload) {
    if (c.name == contender_name) contender = &c;
  }
  if (payload == nullptr || contender == nullptr) {
    std::fprintf(stderr, "--profile=PAYLOAD/CONTENDER: unknown %s\n", what.c_str());
    return 2;
  }
  std::unique_ptr<Contender> c = contender->make();
  std::size_t accepted = 0;
  for (long i = 0; i < iterations; ++i) {
    for (const Body& body : payload->events) accepted += c->parse(body) ? 1u : 0u;
  }
  std::printf("%s: %ld passes, %zu events accepted\n", what.c_str(), iterations, accepted);
  return 0;
}

bool take_flag(const char* arg, const char* name, std::string& value) {
  const std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  value = arg + n + 1;
  return true;
}

}  // namespace
}  // namespace morph_bench

int main(int argc, char** argv) {
  using namespace morph_bench;
  std::string data_dir = MORPH_BENCH_DATA_DIR;
  std::string markdown;
  std::string write_dir;
  std::string profile_what;
  long profile_iterations = 100000;
  bool check = true;
  bool node = true;
  double node_min_time = 0.5;
  int repetitions = 3;
  bool user_repetitions = false;
  std::vector<char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string value;
    if (take_flag(argv[i], "--data-dir", value)) {
      data_dir = value;
    } else if (take_flag(argv[i], "--markdown", value)) {
      markdown = value;
    } else if (take_flag(argv[i], "--write-payloads", value)) {
      write_dir = value;
    } else if (take_flag(argv[i], "--profile", value)) {
      profile_what = value;
    } else if (take_flag(argv[i], "--iterations", value)) {
      profile_iterations = std::atol(value.c_str());
    } else if (std::strcmp(argv[i], "--no-check") == 0) {
      check = false;
    } else if (std::strcmp(argv[i], "--node=off") == 0) {
      node = false;
    } else if (take_flag(argv[i], "--node-min-time", value)) {
      node_min_time = std::atof(value.c_str());
    } else {
      if (take_flag(argv[i], "--benchmark_repetitions", value)) {
        user_repetitions = true;
        repetitions = std::max(1, std::atoi(value.c_str()));
      }
      args.push_back(argv[i]);
    }
  }

  const std::vector<Payload> payloads = make_payloads(data_dir);
  if (!write_dir.empty()) {
    for (const Payload& p : payloads) {
      const std::string path = write_payload(write_dir, p);
      if (path.empty()) {
        std::fprintf(stderr, "cannot write %s/%s\n", write_dir.c_str(), p.name.c_str());
        return 1;
      }
      std::printf("wrote %s\n", path.c_str());
    }
    return 0;
  }

  const std::vector<ContenderInfo> contenders = all_contenders();
  if (!profile_what.empty()) {
    return profile(payloads, contenders, profile_what, profile_iterations);
  }
  if (!allocation_counting_enabled()) {
    std::printf("note: allocation counting is off in sanitizer builds\n");
  }
  if (check && !cross_check(payloads, contenders)) return 1;

  register_all(payloads, contenders);
  const std::string context = build_context();
  std::printf("%s\n", context.c_str());

  // Defaults for a noisy shared machine: 3 repetitions, medians reported (overridable).
  static char reps[] = "--benchmark_repetitions=3";
  static char aggregates[] = "--benchmark_report_aggregates_only=true";
  if (!user_repetitions) {
    args.insert(args.begin() + 1, aggregates);
    args.insert(args.begin() + 1, reps);
  }
  int bench_argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&bench_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, args.data())) return 1;

  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  // The Node contenders on the payloads Google Benchmark ran (--benchmark_filter applies).
  NodeResults node_results;
  if (node) {
    std::vector<const Payload*> ran;
    for (const Payload& p : payloads) {
      if (reporter.rows().count(p.name + "/morph_lenient") != 0) ran.push_back(&p);
    }
    if (!ran.empty()) node_results = run_node_contenders(ran, repetitions, node_min_time);
  } else {
    node_results.note = "Node contenders skipped (--node=off)";
  }
  const std::string table = make_table(reporter, context, node_results);
  std::printf("\n%s", table.c_str());
  if (!markdown.empty()) std::ofstream(markdown) << table;
  benchmark::Shutdown();
  return 0;
}
