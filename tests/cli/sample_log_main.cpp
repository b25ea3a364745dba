// morph_webhook_sample_log: writes the real-traffic-shaped webhook log of sample_log.hpp to
// stdout, one body per line.
//
//   morph_webhook_sample_log [EVENTS [INVALID_EVERY]]
//
// EVENTS (default 100000) bodies; with INVALID_EVERY = K > 0, every K-th line is an invalid
// body instead (a cut line, a missing field, a duplicate key, an array, a date that does not
// exist, in turn).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sample_log.hpp"

int main(int argc, char** argv) {
  const std::size_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const std::size_t invalid_every = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  std::string out;
  for (std::size_t i = 0; i < events; ++i) {
    if (invalid_every > 0 && i % invalid_every == invalid_every - 1) {
      out += morph::webhook::sample_log::invalid_line(i);
    } else {
      morph::webhook::sample_log::append_event(out, i);
    }
    out += '\n';
    if (out.size() >= (std::size_t{1} << 20) || i + 1 == events) {
      if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) return 2;
      out.clear();
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 2;
}
