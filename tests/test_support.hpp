// Helpers shared by the unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace morph::webhook::test {

/// The bytes of tests/data/<relative>.
inline std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(MORPH_WEBHOOK_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// One row of tests/data/bodies.tsv.
struct BodyCase {
  std::string file;
  std::string lenient;  // "ok" or "<code> <pointer>"
  std::string strict;
};

/// Every row of tests/data/bodies.tsv (comments and blank lines skipped).
inline std::vector<BodyCase> body_cases() {
  std::vector<BodyCase> cases;
  std::istringstream in(read_data("bodies.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t');
    const auto t2 = line.find('\t', t1 + 1);
    cases.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  return cases;
}

/// A valid crmEngagement body (the contract's example).
inline std::string contract_example() { return read_data("bodies/contract_example.json"); }

}  // namespace morph::webhook::test
