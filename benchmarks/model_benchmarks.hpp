/// @file model_benchmarks.hpp
/// @brief The contenders for the payloads of typed models other than crmEngagement
/// (bench_models.cpp): morph::webhook's Parser::parse<Model>() and hand-written simdjson DOM.
#ifndef MORPH_WEBHOOK_BENCH_MODEL_BENCHMARKS_HPP
#define MORPH_WEBHOOK_BENCH_MODEL_BENCHMARKS_HPP

#include <string_view>
#include <vector>

#include "common.hpp"

namespace morph_bench {

/// The contenders for a payload of `model` (a Morph model id), morph lenient first; empty for
/// a model without any.
std::vector<ContenderInfo> model_contenders(std::string_view model);

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_MODEL_BENCHMARKS_HPP
