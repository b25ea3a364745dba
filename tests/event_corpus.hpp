// Bodies for the issue-7 tests (owned, json, envelope, dispatch): every JSON body the
// repository holds, read from disk so new fixtures are picked up without a code change.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace morph::webhook::corpus {

/// One body and where it came from.
struct Body {
  std::string name;  // path relative to the repository, plus ":<line>" for NDJSON
  std::string text;
};

/// The bytes of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The bytes of tests/data/<relative>.
inline std::string read_data(const std::string& relative) {
  return read_file(std::filesystem::path(MORPH_WEBHOOK_TEST_DATA_DIR) / relative);
}

/// Appends every *.json file under `dir` (recursively, sorted) and every line of every
/// *.ndjson file there.
inline void collect(const std::filesystem::path& dir, const std::string& label,
                    std::vector<Body>& out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string name = label + "/" + path.lexically_relative(dir).generic_string();
    if (path.extension() == ".json") {
      out.push_back({name, read_file(path)});
    } else if (path.extension() == ".ndjson") {
      std::istringstream lines(read_file(path));
      std::string line;
      int number = 0;
      while (std::getline(lines, line)) {
        ++number;
        if (!line.empty()) out.push_back({name + ":" + std::to_string(number), line});
      }
    }
  }
}

/// Every body of tests/data (fixtures and models) and examples/payloads, valid or not.
inline std::vector<Body> all_bodies() {
  const std::filesystem::path data(MORPH_WEBHOOK_TEST_DATA_DIR);
  std::vector<Body> out;
  collect(data, "tests/data", out);
  collect(data / ".." / ".." / "examples" / "payloads", "examples/payloads", out);
  return out;
}

}  // namespace morph::webhook::corpus
