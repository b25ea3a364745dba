/// @file node_contenders.hpp
/// @brief The Node.js contenders (JSON.parse + zod, Morph's own stack), measured by
/// node/zod_bench.mjs in a child process on the benchmark's payloads, for the same table.
#ifndef MORPH_WEBHOOK_BENCH_NODE_CONTENDERS_HPP
#define MORPH_WEBHOOK_BENCH_NODE_CONTENDERS_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "payloads.hpp"

namespace morph_bench {

/// One contender on one payload, measured outside Google Benchmark.
struct ExternalRow {
  std::string payload;       ///< Payload::name.
  std::string contender;     ///< e.g. "node_zod".
  std::string label;         ///< For the table.
  double ns_per_event = 0;   ///< Median CPU time per event.
  std::size_t accepted = 0;  ///< Events of the payload the contender accepted (one pass).
  std::size_t events = 0;    ///< Events in the payload.
  bool baseline = false;     ///< Does no checking (its verdict means nothing).
};

/// What the Node run produced.
struct NodeResults {
  std::vector<ExternalRow> rows;  ///< Empty when skipped or failed.
  std::string note;  ///< One line for the table: how they were measured, or why they are absent.
};

/// Runs node/zod_bench.mjs on `payloads` (written to a temporary directory first) with
/// `repetitions` repetitions of at least `min_seconds` each. No rows, and a note saying why
/// (also printed), when node or the npm packages (`npm ci` in benchmarks/node) are missing.
NodeResults run_node_contenders(const std::vector<const Payload*>& payloads, int repetitions,
                                double min_seconds);

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_NODE_CONTENDERS_HPP
