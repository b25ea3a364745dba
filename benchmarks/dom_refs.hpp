/// @file dom_refs.hpp
/// @brief Reading refs with simdjson DOM, as the hand-written DOM contenders do (shared by
/// contender_dom.cpp and bench_models.cpp).
#ifndef MORPH_WEBHOOK_BENCH_DOM_REFS_HPP
#define MORPH_WEBHOOK_BENCH_DOM_REFS_HPP

#include <simdjson.h>

#include "common.hpp"

namespace morph_bench {

/// A ref object: its `object`, `model` and (required) string `id`.
inline bool read_ref(simdjson::dom::element v, Ref& out) {
  simdjson::dom::object obj;
  if (v.get_object().get(obj)) return false;
  out = Ref{};
  bool has_id = false;  // an empty id is valid (contract.md, "ResourceRef")
  for (simdjson::dom::key_value_pair kv : obj) {
    if (kv.key == "id") {
      has_id = true;
      if (kv.value.get_string().get(out.id)) return false;
    } else if (kv.key == "model") {
      if (kv.value.get_string().get(out.model)) return false;
    } else if (kv.key == "object") {
      if (kv.value.get_string().get(out.object)) return false;
    }
  }
  return has_id;
}

/// An array of refs into `list` (cleared first; capacity kept).
inline bool read_ref_list(simdjson::dom::element v, RefVec& list) {
  simdjson::dom::array arr;
  if (v.get_array().get(arr)) return false;
  list.present = true;
  list.refs.clear();
  for (simdjson::dom::element item : arr) {
    Ref ref;
    if (!read_ref(item, ref)) return false;
    list.refs.push_back(ref);
  }
  return true;
}

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_DOM_REFS_HPP
