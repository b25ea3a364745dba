// The Node.js contenders (see node_contenders.hpp): the payloads go to a temporary directory,
// node/zod_bench.mjs measures them in one child process after Google Benchmark has finished (so
// the two never share the CPU), and its rows come back on a pipe.
#include "node_contenders.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#ifndef MORPH_BENCH_NODE_DIR
#define MORPH_BENCH_NODE_DIR "benchmarks/node"
#endif
#ifndef MORPH_BENCH_NODE
#define MORPH_BENCH_NODE "node"
#endif

namespace morph_bench {
namespace {

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Runs `command`; returns its standard output and exit status (-1: could not run).
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int raw = ::pclose(pipe);
  status = raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

// Removes the payload files and the directory.
void remove_all(const std::string& dir, const std::vector<std::string>& files) {
  for (const std::string& f : files) std::remove(f.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

NodeResults run_node_contenders(const std::vector<const Payload*>& payloads, int repetitions,
                                double min_seconds) {
  NodeResults out;
  // Prints the reason and returns it as the note, with no rows.
  auto skip = [&out](const std::string& why) {
    out.note = "Node contenders " + why;
    std::printf("%s\n", out.note.c_str());
    return out;
  };
  const std::string node = MORPH_BENCH_NODE;
  const std::string dir = MORPH_BENCH_NODE_DIR;
  int status = 0;
  const std::string version = run(shell_quoted(node) + " --version 2>/dev/null", status);
  if (status != 0) {
    return skip("skipped: " + node + " not found (install Node.js >= 18.19 to compare)");
  }
  if (!exists(dir + "/node_modules/zod/package.json")) {
    return skip("skipped: zod is not installed; run `npm ci` in " + dir);
  }
  char tmp[] = "/tmp/morph-bench-payloads-XXXXXX";
  if (::mkdtemp(tmp) == nullptr) return skip("skipped: cannot create a temporary directory");
  std::vector<std::string> files;
  std::string command = shell_quoted(node) + " " + shell_quoted(dir + "/zod_bench.mjs") +
                        " --repetitions " + std::to_string(repetitions) + " --min-time " +
                        std::to_string(min_seconds);
  for (const Payload* p : payloads) {
    const std::string path = write_payload(tmp, *p);
    if (path.empty()) {
      remove_all(tmp, files);
      return skip("skipped: cannot write " + p->name + " to " + tmp);
    }
    files.push_back(path);
    command += " " + shell_quoted(p->name + "=" + p->model + ":" + path);
  }
  std::printf("running the Node contenders (%s, %s)...\n", node.c_str(),
              version.substr(0, version.find('\n')).c_str());
  std::fflush(stdout);
  const std::string text = run(command, status);
  remove_all(tmp, files);
  if (status != 0) {
    return skip("failed: zod_bench.mjs exited with status " + std::to_string(status));
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
    if (f.size() != 7 || f[0] != "row") continue;
    ExternalRow row;
    row.payload = f[1];
    row.contender = f[2];
    row.label = f[3];
    row.ns_per_event = std::strtod(f[4].c_str(), nullptr);
    row.accepted = std::strtoul(f[5].c_str(), nullptr, 10);
    row.events = std::strtoul(f[6].c_str(), nullptr, 10);
    row.baseline = row.contender == "node_json_parse";
    out.rows.push_back(row);
  }
  out.note = "Node contenders (" + node +
             "): the Node process's CPU time (user + system, garbage collector threads "
             "included) per event, from the body's bytes (a Buffer), median of " +
             std::to_string(repetitions) + " repetitions";
  return out;
}

}  // namespace morph_bench
