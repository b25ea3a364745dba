// Tests of the `morph-webhook` command-line tool: each case runs the built binary (path from
// MORPH_WEBHOOK_CLI_PATH) with bounded I/O and a deadline, and checks exit status and output.
// JSON output is parsed back with nlohmann::json, an independent parser that rejects invalid
// UTF-8, and compared field by field with the bodies that went in.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "morph_webhook_build_info.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/models.hpp"
#include "morph/webhook/version.hpp"
#include "sample_log.hpp"

extern char** environ;

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string payloads = MORPH_WEBHOOK_PAYLOADS_DIR;
const std::string test_data = MORPH_WEBHOOK_TEST_DATA_DIR;

// ---------------------------------------------------------------------------------------------
// Running the tool

struct Run {
  int status = -1;  // exit status, or 128 + signal
  std::string out;  // stdout
  std::string err;  // stderr
};

constexpr std::size_t max_output = std::size_t{256} << 20;
constexpr auto deadline = std::chrono::seconds(60);

/// Runs `morph-webhook args...` with `input` on stdin; fails the test on a timeout.
Run run_cli(const std::vector<std::string>& args, const std::string& input = {}) {
  static const bool sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test
    return true;
  }();
  (void)sigpipe_ignored;

  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> storage;
  storage.emplace_back(MORPH_WEBHOOK_CLI_PATH);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, MORPH_WEBHOOK_CLI_PATH, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  REQUIRE(spawned == 0);

  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  Run run;
  std::size_t written = 0;
  int stdin_fd = in[1];
  if (input.empty()) {
    ::close(stdin_fd);
    stdin_fd = -1;
  }
  int fds[2] = {out[0], err[0]};
  std::string* sinks[2] = {&run.out, &run.err};
  const auto stop = std::chrono::steady_clock::now() + deadline;
  bool timed_out = false;
  while (fds[0] >= 0 || fds[1] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        stop - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p[3];
    nfds_t n = 0;
    for (int fd : fds) p[n++] = pollfd{fd, POLLIN, 0};
    p[n++] = pollfd{stdin_fd, POLLOUT, 0};
    const int ready = ::poll(p, n, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    REQUIRE(ready >= 0);
    for (int k = 0; k < 2; ++k) {
      if (fds[k] < 0 || (p[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[65536];
      const ssize_t got = ::read(fds[k], buffer, sizeof buffer);
      if (got > 0) {
        sinks[k]->append(buffer, static_cast<std::size_t>(got));
        REQUIRE(sinks[k]->size() <= max_output);
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[k]);
        fds[k] = -1;
      }
    }
    if (stdin_fd >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t put = ::write(stdin_fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::close(stdin_fd);  // done, or the child closed its end
        stdin_fd = -1;
      }
    }
  }
  if (stdin_fd >= 0) ::close(stdin_fd);
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  REQUIRE_FALSE(timed_out);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// ---------------------------------------------------------------------------------------------
// Helpers

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const auto end = nl == std::string::npos ? text.size() : nl;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

/// Parses every line of `out` as one JSON object (fails the test on invalid JSON).
std::vector<json> json_lines(const std::string& out) {
  std::vector<json> objects;
  for (const std::string& line : split_lines(out)) {
    INFO("output line: " << line);
    json value;
    REQUIRE_NOTHROW(value = json::parse(line));
    REQUIRE(value.is_object());
    REQUIRE(value.contains("ok"));
    REQUIRE(value["ok"].is_boolean());
    objects.push_back(std::move(value));
  }
  return objects;
}

/// True when `text` is well-formed UTF-8 with no control bytes other than '\n'.
bool is_clean_terminal_text(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c >= 0x20 && c < 0x7F)) {
      ++i;
    } else if (c >= 0x80) {
      const std::size_t n = morph::webhook::detail::utf8_sequence_length(text, i);
      if (n == 0) return false;
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

/// A temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "morph-webhook-cli-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `content` to `name` in the directory and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string path = (path_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
    return path;
  }

 private:
  fs::path path_;
};

/// What `check --format json` should print as `fields` for a body of the typed model `Model`:
/// the fields its description lists that the body has, with the body's values, refs reduced to
/// {"model","id"}; keys the model does not have are not echoed.
template <class Model>
json expected_typed_fields(const json& fields) {
  namespace mw = morph::webhook;
  const auto ref = [](const json& r) { return json{{"model", r["model"]}, {"id", r["id"]}}; };
  json out = json::object();
  mw::for_each_field<Model>([&](const auto& field) {
    const std::string key(field.name);
    if (!fields.contains(key) || fields[key].is_null()) return;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    if constexpr (std::is_same_v<Value, mw::ResourceRef>) {
      out[key] = ref(fields[key]);
    } else if constexpr (std::is_same_v<Value, mw::RefList>) {
      json list = json::array();
      for (const json& r : fields[key]) list.push_back(ref(r));
      out[key] = list;
    } else {
      out[key] = fields[key];
    }
  });
  return out;
}

/// What `check --format json` should print as `fields` for a body of model `model`: the typed
/// fields for a model the library types, `data.fields` echoed for any other.
json expected_fields(const std::string& model, const json& fields) {
  json out = fields;
  std::apply(
      [&](auto... typed) {
        ((model == morph::webhook::model_name<decltype(typed)>
              ? (void)(out = expected_typed_fields<decltype(typed)>(fields))
              : (void)0),
         ...);
      },
      morph::webhook::TypedModels{});
  return out;
}

/// Checks one valid JSON result against the body it came from.
void check_against_body(const json& result, const json& body) {
  const json& data = body["data"];
  const std::string event = body["event"];
  CHECK(result["ok"] == true);
  CHECK(result["event"] == event);
  CHECK(result["trigger"] == event.substr(event.find("::") + 2));
  CHECK(result["model"] == data["model"]);
  CHECK(result["id"] == data["id"]);
  CHECK(result["createdAt"] == data["createdAt"]);
  CHECK(result["updatedAt"] == data["updatedAt"]);
  CHECK(result["fields"] == expected_fields(data["model"], data["fields"]));
  CHECK(result["warnings"] == data.value("warnings", json::array()));
  if (data.contains("rawResource")) {
    REQUIRE(result.contains("rawResource"));
    CHECK(result["rawResource"] == data["rawResource"]);
  } else {
    CHECK_FALSE(result.contains("rawResource"));
  }
}

// A compact crmEngagement body with `@TITLE@` and `@DESC@` to fill in (raw JSON text).
const std::string body_template =
    R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"29090716","fields":{"type":"call","title":@TITLE@,"description":@DESC@,)"
    R"("startedAt":"2015-10-07T13:10:00.781Z","duration":38,)"
    R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)"
    R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}]},)"
    R"("createdAt":"2015-10-07T13:10:00.781Z","updatedAt":"2015-10-07T13:10:00.781Z",)"
    R"("rawResource":{"engagement":{"id":29090716,"type":"CALL"}}}})";

std::string make_body(const std::string& title_json, const std::string& desc_json = "\"d\"") {
  std::string body = body_template;
  body.replace(body.find("@TITLE@"), 7, title_json);
  body.replace(body.find("@DESC@"), 6, desc_json);
  return body;
}

}  // namespace

// =============================================================================================

TEST_CASE("usage errors, help and version", "[usage]") {
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string in_stdout;
    std::string in_stderr;
  };
  const std::vector<Case> cases = {
      {{}, 2, "", "missing command (expected one of: check, serve, inbox"},  // forward: when built
      {{"--help"}, 0, "Usage: morph-webhook [OPTIONS] SUBCOMMAND", ""},
      {{"--help"}, 0, "  check ", ""},
      {{"-h"}, 0, "Exit status: 0", ""},
      {{"check", "--help"}, 0, "--ndjson", ""},
      {{"check", "--help"}, 0, "Usage: morph-webhook check [OPTIONS] [FILE...]", ""},
      {{"check", "-h"}, 0, "--max-body-bytes N", ""},
      {{"check", "--help"}, 0, "Exit status: 0 every body is valid", ""},
      {{"check", "--strict", "--help"}, 0, "--headers FILE", ""},
      // The commit the sources are at, as cmake/build_info.cmake read it for both programs.
      {{"--version"},
       0,
       "morph-webhook " MORPH_WEBHOOK_VERSION_STRING " (commit " MORPH_WEBHOOK_GIT_COMMIT ")\n",
       ""},
      {{"-V"},
       0,
       "morph-webhook " MORPH_WEBHOOK_VERSION_STRING " (commit " MORPH_WEBHOOK_GIT_COMMIT ")\n",
       ""},
      {{"check", "--version"}, 0, MORPH_WEBHOOK_VERSION_STRING, ""},
      {{"frobnicate"}, 2, "", "unknown command 'frobnicate'"},
      {{"--bogus"}, 2, "", "unknown option '--bogus'"},
      {{"check", "--bogus"}, 2, "", "not expected: --bogus"},
      {{"check", "--bogus"}, 2, "", "Try 'morph-webhook check --help'."},
      {{"check", "--format", "xml"}, 2, "", "--format: must be 'text' or 'json', not 'xml'"},
      {{"check", "--format"}, 2, "", "--format: 1 required"},
      {{"check", "--max-bytes", "12k"}, 2, "", "--max-bytes: needs a non-negative integer"},
      {{"check", "--max-bytes=-1"}, 2, "", "--max-bytes: needs a non-negative integer"},
      {{"check", "--strict=yes"}, 2, "", "disallowed flag override"},
      {{"check", "--headers="}, 2, "", "--headers"},
      {{"check", "/nonexistent/body.json"}, 2, "", "cannot open /nonexistent/body.json"},
      {{"check", payloads}, 2, "", "is a directory"},
      {{"check", "--headers", "/nonexistent/headers.txt", payloads + "/call-created.json"},
       2,
       "",
       "cannot read headers file"},
  };
  std::vector<Case> all = cases;
#if defined(MORPH_WEBHOOK_CLI_SERVE)
  // The other subcommands share the parser: their help and usage errors end the same way.
  const std::vector<Case> more = {
      {{"--help"}, 0, "  serve ", ""},
      {{"--help"}, 0, "  inbox ", ""},
      {{"serve", "--help"}, 0, "Usage: morph-webhook serve [OPTIONS]", ""},
      {{"serve", "--help"}, 0, "--drain-timeout", ""},
      {{"inbox", "--help"}, 0, "  pull ", ""},
      {{"inbox", "pull", "--help"}, 0, "--lease", ""},
      {{"inbox", "work", "--help"}, 0, "--concurrency", ""},
      {{"serve", "--port", "70000"}, 2, "", "Try 'morph-webhook serve --help'."},
      {{"inbox"}, 2, "", "missing command (expected one of: stats, pull,"},
      {{"inbox", "frobnicate"}, 2, "", "unknown command 'frobnicate'"},
      {{"inbox", "pull", "--lease", "soon"}, 2, "", "Try 'morph-webhook inbox pull --help'."},
      // a misspelt model is refused, not a silent 422 for every event of it
      {{"serve", "--models", "crmEngagment"}, 2, "", "unknown model 'crmEngagment' (known: "},
      {{"serve", "--models", "crmEngagement,widgetCardView"}, 2, "", "widgetCardView cannot"},
      {{"serve", "--models", ","}, 2, "", "expected all, known or a comma-separated list"},
      {{"serve", "--help"}, 0, "known (the models Morph documents)", ""},
      {{"serve", "--help"}, 0, "crmEngagement bodies must match Morph's exact zod schema", ""},
      {{"serve", "--log-format", "xml"}, 2, "", "expected one of json|text, not 'xml'"},
      {{"serve", "--access-log", "some"}, 2, "", "expected one of all|errors|off"},
      {{"check", "--max-body-bytes", "12k"}, 2, "", "--max-body-bytes: needs a non-negative"},
  };
  all.insert(all.end(), more.begin(), more.end());
#endif
  for (const Case& c : all) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    INFO("args: " << joined);
    const Run run = run_cli(c.args);
    CHECK(run.status == c.status);
    CHECK(run.out.find(c.in_stdout) != std::string::npos);
    CHECK(run.err.find(c.in_stderr) != std::string::npos);
    if (c.status == 2) {  // no per-body result (text mode may still print the summary)
      CHECK(run.out.find("OK ") == std::string::npos);
      CHECK(run.out.find("ERR") == std::string::npos);
    }
  }

  SECTION("an option given twice takes its last value") {
    const Run run = run_cli({"check", "--format", "text", "--max-bytes", "10", "--format=json",
                             "--max-bytes", "100000", payloads + "/call-created.json"});
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["ok"] == true);
  }

  SECTION("an unreadable file does not stop the others, but the exit status is 2") {
    const Run run =
        run_cli({"check", "--format=json", "/nonexistent/a.json", payloads + "/call-created.json"});
    CHECK(run.status == 2);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["ok"] == true);
  }
}

TEST_CASE("every sample payload, JSON format, compared with its body", "[payloads]") {
  struct Case {
    std::string file;
    bool ok;
    std::string code;     // for invalid ones
    std::string pointer;  // for invalid ones
  };
  const std::vector<Case> cases = {
      {"call-created.json", true, "", ""},
      {"meeting-updated.json", true, "", ""},
      {"email-created.json", true, "", ""},
      {"call-deleted.json", true, "", ""},
      {"note-dropped-fields.json", true, "", ""},
      {"contact-updated.json", true, "", ""},
      {"card-view-created.json", true, "", ""},
      {test_data + "/telephony_call/aircall_updated_ended.json", true, "", ""},
      {test_data + "/models/crm_quote_created.json", true, "", ""},  // a model Morph lacks
      {"invalid/bad-date.json", false, "invalid_value", "/data/fields/startedAt"},
      {"invalid/negative-duration.json", false, "invalid_value", "/data/fields/duration"},
      {"invalid/model-mismatch.json", false, "model_mismatch", "/data/model"},
      {"invalid/trailing-garbage.json", false, "invalid_json", ""},
  };
  for (const Case& c : cases) {
    INFO("payload: " << c.file);
    const std::string path = c.file[0] == '/' ? c.file : payloads + "/" + c.file;
    const Run run = run_cli({"check", "--format", "json", path});
    CHECK(run.status == (c.ok ? 0 : 1));
    CHECK(run.err.empty());
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    const json& r = results[0];
    CHECK(r["file"] == path);
    CHECK_FALSE(r.contains("line"));
    CHECK_FALSE(r.contains("headers"));
    if (c.ok) {
      check_against_body(r, json::parse(read_file(path)));
    } else {
      CHECK(r["ok"] == false);
      CHECK(r["error"]["code"] == c.code);
      CHECK(r["error"]["pointer"] == c.pointer);
      CHECK_FALSE(r["error"].contains("header"));
      CHECK_FALSE(r["error"]["message"].get<std::string>().empty());
    }
  }

  SECTION("--strict rejects the dropped required fields that lenient accepts") {
    const Run run =
        run_cli({"check", "--strict", "--format=json", payloads + "/note-dropped-fields.json"});
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["error"]["code"] == "missing_field");
  }
  SECTION("--max-bytes sets the body limit") {
    const Run small =
        run_cli({"check", "--max-bytes", "100", "--format=json", payloads + "/call-created.json"});
    CHECK(small.status == 1);
    const auto results = json_lines(small.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["error"]["code"] == "body_too_large");
    const Run exact = run_cli({"check", "--max-bytes=100000", payloads + "/call-created.json"});
    CHECK(exact.status == 0);
    // A body over the limit is counted, not stored, from a file or from a pipe.
    const std::string big =
        make_body("\"t\"", "\"" + std::string(std::size_t{9} << 20, 'd') + "\"");
    TempDir dir;
    const std::string path = dir.write("big.json", big);
    for (const Run& run :
         {run_cli({"check", "--format=json", path}), run_cli({"check", "--format=json"}, big)}) {
      CHECK(run.status == 1);
      const auto big_results = json_lines(run.out);
      REQUIRE(big_results.size() == 1);
      CHECK(big_results[0]["error"]["code"] == "body_too_large");
      CHECK(big_results[0]["error"]["message"].get<std::string>().find(
                std::to_string(big.size()) + " bytes") != std::string::npos);
    }
    const Run raised = run_cli({"check", "--max-bytes=20000000", path});
    CHECK(raised.status == 0);
  }
}

TEST_CASE("fields keep their original values in JSON output", "[payloads]") {
  // Each case: a fragment replacing `"type":"call"` in a compact body, and the expected
  // members of the output's `fields` (lenient policy).
  struct Case {
    std::string name;
    std::string fragment;
    json expected;  // members that must be present with these values
    std::vector<std::string> absent;
  };
  const std::vector<Case> cases = {
      {"unknown enum value kept as text",
       R"("type":"sms","direction":"sideways")",
       json{{"type", "sms"}, {"direction", "sideways"}},
       {}},
      {"inProgress status as sent",
       R"("type":"task","status":"inProgress")",
       json{{"type", "task"}, {"status", "inProgress"}},
       {}},
      {"duration 3.0 is the integer 3",
       R"("type":"call","endedAt":"2015-10-07T13:10:38Z")",
       json{{"endedAt", "2015-10-07T13:10:38Z"}},
       {}},
      {"null optional fields are absent",
       R"("type":"note","direction":null,"status":null)",
       json{{"type", "note"}},
       {"direction", "status"}},
      {"expanded ref reduced to model and id",
       R"("type":"call","users":[{"object":"resource","model":"genericUser","id":"7","fields":{"email":"a@b.c"},"createdAt":"2015-10-07T13:10:00Z","updatedAt":"2015-10-07T13:10:00Z"}])",
       json{{"users", json::array({json{{"model", "genericUser"}, {"id", "7"}}})}},
       {}},
      {"ref extras dropped",
       R"("type":"call","companies":[{"object":"resourceRef","model":"genericCompany","id":"9","remote":{"id":"r9"}}])",
       json{{"companies", json::array({json{{"model", "genericCompany"}, {"id", "9"}}})}},
       {}},
      {"no type at all (dropped by Morph)",
       R"("direction":"inbound")",
       json{{"direction", "inbound"}, {"title", "t"}},
       {"type", "status"}},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.name);
    std::string body = make_body("\"t\"");
    const std::string from = R"("type":"call")";
    body.replace(body.find(from), from.size(), c.fragment);
    if (c.name.rfind("duration", 0) == 0) {
      body.replace(body.find("\"duration\":38"), 13, "\"duration\":3.0");
    }
    const Run run = run_cli({"check", "--format=json"}, body);
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    REQUIRE(results[0]["ok"] == true);
    const json& fields = results[0]["fields"];
    for (const auto& [key, value] : c.expected.items()) CHECK(fields[key] == value);
    for (const std::string& key : c.absent) CHECK_FALSE(fields.contains(key));
    if (c.name.rfind("duration", 0) == 0) {
      CHECK(fields["duration"].is_number_integer());
      CHECK(fields["duration"] == 3);
    }
  }
  SECTION("unknown enum values: flagged in text, rejected by --strict") {
    std::string body = make_body("\"t\"");
    body.replace(body.find(R"("type":"call")"), 13, R"("type":"sms")");
    const Run text = run_cli({"check"}, body);
    CHECK(text.status == 0);
    CHECK(text.out.find("type=sms(unknown)") != std::string::npos);
    const Run strict = run_cli({"check", "--strict", "--format=json"}, body);
    CHECK(strict.status == 1);
    const auto results = json_lines(strict.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["error"]["pointer"] == "/data/fields/type");
  }
}

TEST_CASE("contacts and calls are typed: their fields in JSON and text", "[typed]") {
  const std::string contact = payloads + "/contact-updated.json";
  const std::string call = test_data + "/telephony_call/aircall_updated_ended.json";
  const std::string ringing = test_data + "/telephony_call/unknown_status_ringing.json";
  const std::string no_direction = test_data + "/telephony_call/dropped_direction.json";
  const std::string bad_email = test_data + "/generic_contact/email_double_dot.json";

  SECTION("JSON: the model's fields with their values, refs as model and id, nothing else") {
    const Run run = run_cli({"check", "--format=json", contact, call});
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 2);
    // jobTitle and company are in the body but not in genericContact's schema: not echoed.
    CHECK(results[0]["fields"] == json{{"firstName", "Jane"},
                                       {"lastName", "Doe"},
                                       {"email", "jane.doe@example.com"},
                                       {"phone", "+1 888 482 7768"}});
    const json expected_call = {
        {"direction", "inbound"},
        {"status", "completed"},
        {"startedAt", "2025-03-06T09:00:00.000Z"},
        {"answeredAt", "2025-03-06T09:00:07.000Z"},
        {"endedAt", "2025-03-06T09:04:12.000Z"},
        {"duration", 252},
        {"recordingUrl", "https://recordings.aircall.example/1530946017.mp3"},
        {"users", json::array({json{{"model", "genericUser"}, {"id", "1043917"}}})},
        {"contacts", json::array({json{{"model", "genericContact"}, {"id", "58822019"}}})},
        {"externalNumber", "+33612345678"},
        {"internalNumber", "+14155550100"}};
    CHECK(results[1]["fields"] == expected_call);
    CHECK(results[1]["fields"]["duration"].is_number_integer());
    // In the order of the model's description, whatever the body's order (nlohmann sorts
    // keys: look at the text).
    const std::string line = split_lines(run.out)[1];
    CHECK(line.find(R"("fields":{"direction":"inbound","status":"completed","startedAt":)") !=
          std::string::npos);
    CHECK(line.find(R"("duration":252,"recordingUrl":)") != std::string::npos);
  }
  SECTION("text: required enums, fields present of the model's, refs") {
    const Run run = run_cli({"check", contact, call, ringing, no_direction});
    CHECK(run.status == 0);
    const auto lines = split_lines(run.out);
    REQUIRE(lines.size() >= 4);
    CHECK(lines[0].find("  genericContact::updated  id=247  fields=4/4  refs=0  warnings=0") !=
          std::string::npos);
    CHECK(lines[1].find("  telephonyCall::updated  id=1530946017  direction=inbound  "
                        "status=completed  fields=11/12  refs=2  warnings=0") != std::string::npos);
    CHECK(lines[2].find("  status=ringing(unknown)  ") != std::string::npos);
    CHECK(lines[3].find("direction=") == std::string::npos);  // dropped by Morph, lenient
    CHECK(lines[3].find("  status=") != std::string::npos);
    CHECK(run.out.find("4 bodies: 4 valid, 0 invalid") != std::string::npos);
  }
  SECTION("their constraints are checked, with --strict where the schema says so") {
    const Run lenient = run_cli({"check", "--format=json", bad_email, ringing, no_direction});
    CHECK(lenient.status == 1);
    const auto l = json_lines(lenient.out);
    REQUIRE(l.size() == 3);
    CHECK(l[0]["error"]["code"] == "invalid_value");  // was valid when checked as an envelope
    CHECK(l[0]["error"]["pointer"] == "/data/fields/email");
    CHECK(l[1]["ok"] == true);
    CHECK(l[2]["ok"] == true);
    const Run strict = run_cli({"check", "--strict", "--format=json", ringing, no_direction});
    CHECK(strict.status == 1);
    const auto s = json_lines(strict.out);
    REQUIRE(s.size() == 2);
    CHECK(s[0]["error"]["pointer"] == "/data/fields/status");
    CHECK(s[1]["error"]["code"] == "missing_field");
    CHECK(s[1]["error"]["pointer"] == "/data/fields/direction");
  }
}

TEST_CASE("text format: one line per body and a summary", "[text]") {
  const std::vector<std::string> valid = {"call-created.json",    "call-deleted.json",
                                          "contact-updated.json", "email-created.json",
                                          "meeting-updated.json", "note-dropped-fields.json"};
  const std::vector<std::string> invalid = {"invalid/bad-date.json", "invalid/model-mismatch.json",
                                            "invalid/negative-duration.json",
                                            "invalid/trailing-garbage.json"};
  std::vector<std::string> args = {"check"};
  for (const auto& f : valid) args.push_back(payloads + "/" + f);
  for (const auto& f : invalid) args.push_back(payloads + "/" + f);

  const Run run = run_cli(args);
  CHECK(run.status == 1);
  CHECK(run.out.find('\x1b') == std::string::npos);  // no colour into a pipe
  const auto lines = split_lines(run.out);
  REQUIRE(lines.size() >= 10);
  for (std::size_t i = 0; i < valid.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].rfind("OK ", 0) == 0);
    CHECK(lines[i].find(valid[i]) != std::string::npos);
  }
  CHECK(lines[0].find(
            "crmEngagement::created  id=29090716  type=call  fields=11/13  refs=3  warnings=0") !=
        std::string::npos);
  CHECK(lines[2].find("genericContact::updated  id=247  fields=4/4  refs=0  warnings=0") !=
        std::string::npos);
  CHECK(lines[5].find("warnings=2") != std::string::npos);
  for (std::size_t i = 0; i < invalid.size(); ++i) {
    INFO(lines[valid.size() + i]);
    CHECK(lines[valid.size() + i].rfind("ERR", 0) == 0);
    CHECK(lines[valid.size() + i].find(invalid[i]) != std::string::npos);
  }
  CHECK(lines[6].find("invalid_value at \"/data/fields/startedAt\": ") != std::string::npos);
  CHECK(run.out.find("\n10 bodies: 6 valid, 4 invalid; 2 Morph warnings in valid bodies\n") !=
        std::string::npos);
  CHECK(run.out.find("\n  invalid_value       2\n") != std::string::npos);
  CHECK(run.out.find("\n  model_mismatch      1\n") != std::string::npos);
  CHECK(run.out.find("\n  invalid_json        1\n") != std::string::npos);

  SECTION("all valid: exit status 0") {
    std::vector<std::string> only_valid = {"check"};
    for (const auto& f : valid) only_valid.push_back(payloads + "/" + f);
    const Run ok = run_cli(only_valid);
    CHECK(ok.status == 0);
    CHECK(ok.out.find("6 bodies: 6 valid, 0 invalid") != std::string::npos);
  }
}

TEST_CASE("NDJSON logs: bad lines in the middle, blank lines, CRLF, huge lines", "[ndjson]") {
  SECTION("the sample log") {
    const std::string path = payloads + "/events.ndjson";
    const Run run = run_cli({"check", "--ndjson", "--format", "json", path});
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 20);  // 21 lines, one blank
    const auto source = split_lines(read_file(path));
    std::size_t k = 0;
    for (std::size_t line = 1; line <= source.size(); ++line) {
      if (source[line - 1].empty()) continue;
      INFO("line " << line);
      const json& r = results[k++];
      CHECK(r["line"] == line);
      CHECK(r["file"] == path);
      if (line == 8 || line == 18) {
        CHECK(r["error"]["code"] == "invalid_value");
      } else if (line == 14) {
        CHECK(r["error"]["code"] == "invalid_json");
      } else {
        check_against_body(r, json::parse(source[line - 1]));
      }
    }
    const Run text = run_cli({"check", "--ndjson", path});
    CHECK(text.out.find("events.ndjson:8  invalid_value") != std::string::npos);
    CHECK(text.out.find("events.ndjson:14  invalid_json") != std::string::npos);
    CHECK(text.out.find("events.ndjson:7  genericContact::updated  id=247  fields=4/4") !=
          std::string::npos);
    CHECK(text.out.find("20 bodies: 17 valid, 3 invalid; 4 Morph warnings in valid bodies\n") !=
          std::string::npos);
  }

  SECTION("CRLF, whitespace-only lines, a line over 2 MB, no final newline") {
    std::string huge(std::size_t{2} << 20, 'x');
    for (std::size_t i = 0; i < huge.size(); i += 100) huge[i] = ' ';
    const std::string a = make_body("\"first\"");
    const std::string big = make_body("\"big\"", "\"" + huge + "\"");
    const std::string bad = make_body("\"bad\"").substr(0, 120);
    const std::string log = a + "\r\n" + "   \t\r\n" + "\r\n" + big + "\r\n" + bad + "\n\n" + a;
    TempDir dir;
    const std::string path = dir.write("log.ndjson", log);
    const Run run = run_cli({"check", "--ndjson", "--format=json", path});
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 4);
    CHECK(results[0]["line"] == 1);
    CHECK(results[0]["fields"]["title"] == "first");
    CHECK(results[1]["line"] == 4);
    CHECK(results[1]["fields"]["description"] == huge);
    CHECK(results[2]["line"] == 5);
    CHECK(results[2]["error"]["code"] == "invalid_json");
    CHECK(results[3]["line"] == 7);
    CHECK(results[3]["ok"] == true);

    const Run limited = run_cli({"check", "--ndjson", "--format=json", "--max-bytes=65536", path});
    const auto limited_results = json_lines(limited.out);
    REQUIRE(limited_results.size() == 4);
    CHECK(limited_results[0]["ok"] == true);
    CHECK(limited_results[1]["error"]["code"] == "body_too_large");
    CHECK(limited_results[3]["ok"] == true);
  }

  SECTION("lines over the limit are skipped unread, with their size and line number") {
    // 20 MB with no newline, then CRLF lines: memory stays bounded by the limit.
    const std::string log = std::string(std::size_t{20} << 20, 'x') + "\r\n" +
                            make_body("\"after\"") + "\r\n" + std::string(5000, ' ') + "y\r\n" +
                            make_body("\"last\"");
    TempDir dir;
    const std::string path = dir.write("long.ndjson", log);
    for (const bool from_stdin : {false, true}) {
      INFO("stdin: " << from_stdin);
      const Run run =
          from_stdin ? run_cli({"check", "--ndjson", "--format=json", "--max-bytes=4000"}, log)
                     : run_cli({"check", "--ndjson", "--format=json", "--max-bytes=4000", path});
      CHECK(run.status == 1);
      const auto results = json_lines(run.out);
      REQUIRE(results.size() == 4);
      CHECK(results[0]["line"] == 1);
      CHECK(results[0]["error"]["code"] == "body_too_large");
      CHECK(results[0]["error"]["pointer"] == "");
      CHECK(results[0]["error"]["message"].get<std::string>().find(
                std::to_string(std::size_t{20} << 20) + " bytes") != std::string::npos);
      CHECK(results[1]["line"] == 2);
      CHECK(results[1]["fields"]["title"] == "after");
      CHECK(results[2]["line"] == 3);
      CHECK(results[2]["error"]["message"].get<std::string>().find("5001 bytes") !=
            std::string::npos);
      CHECK(results[3]["line"] == 4);
      CHECK(results[3]["fields"]["title"] == "last");
    }
  }

  SECTION("many lines across read chunks keep their numbers") {
    std::string log;
    const std::size_t count = 30000;  // ~12 MB: several 4 MB reads, lines cut at chunk ends
    for (std::size_t i = 0; i < count; ++i) {
      log +=
          make_body("\"event " + std::to_string(i) + "\"", "\"" + std::string(i % 700, 'd') + "\"");
      log += '\n';
    }
    TempDir dir;
    const std::string path = dir.write("many.ndjson", log);
    const Run run = run_cli({"check", "--ndjson", "--format=json", path});
    CHECK(run.status == 0);
    const auto lines = split_lines(run.out);
    REQUIRE(lines.size() == count);
    for (std::size_t i = 0; i < count; i += 97) {  // a sample: parsing all is slow under ASan
      const json r = json::parse(lines[i]);
      CHECK(r["line"] == i + 1);
      CHECK(r["fields"]["title"] == "event " + std::to_string(i));
    }
  }

  SECTION("only blank lines: no bodies, exit status 0") {
    TempDir dir;
    const std::string path = dir.write("blank.ndjson", "\n  \n\r\n\t\n");
    const Run run = run_cli({"check", "--ndjson", path});
    CHECK(run.status == 0);
    CHECK(run.out.find("0 bodies: 0 valid, 0 invalid") != std::string::npos);
    const Run json_run = run_cli({"check", "--ndjson", "--format=json", path});
    CHECK(json_run.status == 0);
    CHECK(json_run.out.empty());
  }
}

TEST_CASE("standard input: no FILE or '-'", "[stdin]") {
  const std::string body = read_file(payloads + "/call-created.json");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "--format=json"},
        std::vector<std::string>{"check", "--format=json", "-"}}) {
    const Run run = run_cli(args, body);
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK_FALSE(results[0].contains("file"));
    check_against_body(results[0], json::parse(body));
  }

  SECTION("a file and stdin together") {
    const Run run =
        run_cli({"check", "--format=json", payloads + "/invalid/bad-date.json", "-"}, body);
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 2);
    CHECK(results[0]["ok"] == false);
    CHECK(results[1]["ok"] == true);
    CHECK_FALSE(results[1].contains("file"));
  }
  SECTION("an NDJSON log on stdin") {
    const Run run =
        run_cli({"check", "--ndjson", "--format=json"}, read_file(payloads + "/events.ndjson"));
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 20);
    CHECK(results[7]["line"] == 8);
    CHECK(results[7]["ok"] == false);
    CHECK_FALSE(results[7].contains("file"));
  }
  SECTION("empty stdin is an empty body") {
    const Run run = run_cli({"check", "--format=json"});
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["error"]["code"] == "empty_body");
    const Run text = run_cli({"check"});
    CHECK(text.out.rfind("ERR  <stdin>  empty_body", 0) == 0);
  }
}

TEST_CASE("--headers: a curl -D header block checked for every body", "[headers]") {
  SECTION("the sample headers apply to every body") {
    const Run run = run_cli({"check", "--format=json", "--headers", payloads + "/headers.txt",
                             payloads + "/call-created.json", payloads + "/contact-updated.json"});
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 2);
    for (const json& r : results) {
      CHECK(r["headers"] == json{{"connectorId", "hubspot"},
                                 {"ownerId", "acme-prod-eu"},
                                 {"idempotencyKey", "call-29090716-created-1444223400781}"}});
    }
  }

  struct Case {
    std::string name;
    std::string block;
    bool ok;
    std::string code;
    std::string header;
  };
  const std::vector<Case> cases = {
      {"LF, REST spelling, mixed case",
       "X-Connector-Id: hubspot\nX-OWNER-ID:  42\t\nx-idempotency-key: 4567890123\n", true, "", ""},
      {"request line first",
       "POST /webhooks/morph HTTP/1.1\r\nHost: example.com\r\nx-conector-id: "
       "hubspot\r\nx-owner-id: 42\r\nx-idempotency-key: k\r\n\r\n",
       true, "", ""},
      {"100 Continue block first",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nx-conector-id: hubspot\r\nx-owner-id: "
       "42\r\nx-idempotency-key: k\r\n\r\n",
       true, "", ""},
      {"stops at the first blank line",
       "x-conector-id: hubspot\nx-owner-id: 42\nx-idempotency-key: k\n\nx-owner-id: 43\n", true, "",
       ""},
      {"missing owner", "x-conector-id: hubspot\r\nx-idempotency-key: k\r\n", false,
       "missing_header", "x-owner-id"},
      {"empty file", "", false, "missing_header", "x-conector-id"},
      {"owner twice, two values",
       "x-conector-id: hubspot\nx-owner-id: 42\nX-Owner-Id: 43\nx-idempotency-key: k\n", false,
       "duplicate_header", "x-owner-id"},
      {"both connector spellings, two values",
       "x-conector-id: hubspot\nx-connector-id: salesforce\nx-owner-id: 42\nx-idempotency-key: k\n",
       false, "duplicate_header", ""},
      {"empty value", "x-conector-id: hubspot\nx-owner-id:   \nx-idempotency-key: k\n", false,
       "invalid_header", "x-owner-id"},
      {"control byte in a value",
       std::string("x-conector-id: hub\x01spot\nx-owner-id: 42\nx-idempotency-key: k\n"), false,
       "invalid_header", "x-conector-id"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    INFO("case: " << c.name);
    const std::string path = dir.write("headers.txt", c.block);
    const Run run = run_cli(
        {"check", "--format=json", "--ndjson", "--headers", path, payloads + "/events.ndjson"});
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 20);
    if (c.ok) {
      CHECK(run.status == 1);  // the log's own bad lines
      CHECK(results[0]["headers"]["ownerId"] == "42");
      CHECK(results[7]["error"]["code"] == "invalid_value");
    } else {
      CHECK(run.status == 1);
      for (const json& r : results) {  // reported for each body it applies to
        CHECK(r["ok"] == false);
        CHECK(r["error"]["code"] == c.code);
        CHECK(r["error"]["pointer"] == "");
        if (!c.header.empty()) CHECK(r["error"]["header"] == c.header);
        CHECK(r["error"].contains("header"));
      }
    }
  }

  SECTION("a file that is not a header block is a usage error") {
    const std::string path = dir.write("bad.txt", "x-owner-id: 42\nthis is not a header\n");
    const Run run = run_cli({"check", "--headers", path, payloads + "/call-created.json"});
    CHECK(run.status == 2);
    CHECK(run.err.find("line 2") != std::string::npos);
    CHECK(run.out.empty());
  }
  SECTION("text format names the header") {
    const std::string path = dir.write("h.txt", "x-conector-id: hubspot\n");
    const Run run = run_cli({"check", "--headers", path, payloads + "/call-created.json"});
    CHECK(run.status == 1);
    CHECK(run.out.find("missing_header in header x-owner-id") != std::string::npos);
  }
}

TEST_CASE("hostile bodies: the JSON output stays valid JSON, text stays clean", "[hostile]") {
  using namespace std::string_literals;
  struct Case {
    std::string name;
    std::string body;
    bool ok;
    std::string code;                  // when !ok; empty: any code
    std::optional<std::string> title;  // when ok: the decoded title
  };
  const std::vector<Case> cases = {
      {"raw NUL in a string", make_body("\"a\0b\""s), false, "invalid_json", {}},
      {"raw control byte in a string", make_body("\"a\x01\x1b[31mb\""), false, "invalid_json", {}},
      {"invalid UTF-8 in a string",
       make_body("\"caf\xc3\x28 \xff\xfe\""),
       false,
       "invalid_json",
       {}},
      {"overlong UTF-8", make_body("\"\xc0\xaf\""), false, "invalid_json", {}},
      {"UTF-16 surrogate bytes", make_body("\"\xed\xa0\x80\""), false, "invalid_json", {}},
      {"invalid UTF-8 in rawResource",
       make_body("\"t\"").replace(make_body("\"t\"").find("CALL"), 4, "CA\xffLL"),
       false,
       "invalid_json",
       {}},
      {"invalid UTF-8 in a key", make_body("\"t\"").replace(2, 5, "ev\xffnt"), false, "", {}},
      {"NUL bytes only", "\0\0\0\0"s, false, "", {}},
      {"binary garbage", "\xff\xfe\x00{\"event\"\x01\x02\x7f"s, false, "", {}},
      {"trailing NUL", make_body("\"t\"") + "\0"s, false, "invalid_json", {}},
      {"escaped NUL", make_body(R"("a\u0000b")"), true, "", "a\0b"s},
      {"escaped control bytes", make_body(R"("\u0001\u001f\b\f\n\r\t\u007f")"), true, "",
       "\x01\x1f\b\f\n\r\t\x7f"s},
      {"escaped ESC sequence", make_body(R"("\u001b[2J\u001b[31mred")"), true, "",
       "\x1b[2J\x1b[31mred"s},
      {"U+2028 and U+2029",
       make_body("\"a\xe2\x80\xa8"
                 "b\xe2\x80\xa9\""),
       true, "",
       "a\xe2\x80\xa8"
       "b\xe2\x80\xa9"s},
      {"escaped surrogate pair", make_body(R"("\ud83d\ude00")"), true, "", "\xf0\x9f\x98\x80"s},
      {"lone escaped surrogate", make_body(R"("\ud800x")"), false, "", {}},
      {"quotes and backslashes", make_body(R"("\"\\\/")"), true, "", "\"\\/"s},
      {"event with control bytes",
       R"({"event":"crmEngagement::created\u001b[2J\u0000","data":{}})",
       false,
       "",
       {}},
  };

  for (const Case& c : cases) {
    INFO("case: " << c.name);
    const Run run = run_cli({"check", "--format=json"}, c.body);
    CHECK((run.status == 0 || run.status == 1));
    const auto results = json_lines(run.out);  // valid JSON, valid UTF-8
    REQUIRE(results.size() == 1);
    const json& r = results[0];
    if (c.ok) {
      CHECK(run.status == 0);
      REQUIRE(r["ok"] == true);
      CHECK(r["fields"]["title"] == *c.title);
    } else if (c.name == "lone escaped surrogate") {
      // Either rejected or replaced; the output is valid JSON in both cases (checked above).
    } else {
      CHECK(run.status == 1);
      CHECK(r["ok"] == false);
      if (!c.code.empty()) CHECK(r["error"]["code"] == c.code);
    }
    const Run text = run_cli({"check"}, c.body);
    CHECK(text.status == run.status);
    CHECK(is_clean_terminal_text(text.out));
  }

  SECTION("all of them in one NDJSON log") {
    std::string log;
    std::size_t count = 0;
    for (const Case& c : cases) {
      if (c.body.find('\n') != std::string::npos) continue;
      log += c.body + "\n";
      ++count;
    }
    const Run run = run_cli({"check", "--ndjson", "--format=json"}, log);
    CHECK(run.status == 1);
    const auto results = json_lines(run.out);
    CHECK(results.size() == count);
    const Run text = run_cli({"check", "--ndjson"}, log);
    CHECK(is_clean_terminal_text(text.out));
  }

  SECTION("a file name with control bytes and invalid UTF-8") {
    TempDir dir;
    const std::string path = dir.write("bad\x01\x1b[2J\xff name.json", make_body("\"t\""));
    const Run run = run_cli({"check", "--format=json", path});
    CHECK(run.status == 0);
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 1);
    CHECK(results[0]["file"].get<std::string>().find("\xef\xbf\xbd") != std::string::npos);
    const Run text = run_cli({"check", path});
    CHECK(is_clean_terminal_text(text.out));
  }
}

// ---------------------------------------------------------------------------------------------
// Output a person can act on: event identity on errors, error positions, --errors-only

namespace {

/// Runs `morph-webhook args...` with a terminal (a pseudo-terminal) on stdin: waits until
/// stderr holds `wait_for` (or the deadline), then types Ctrl-D (end of input).
Run run_with_terminal_stdin(const std::vector<std::string>& args, const std::string& wait_for) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(slave >= 0);
  int out[2], err[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, slave, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<std::string> storage = {MORPH_WEBHOOK_CLI_PATH};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, MORPH_WEBHOOK_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(slave);
  ::close(out[1]);
  ::close(err[1]);
  REQUIRE(spawned == 0);

  Run run;
  int fds[2] = {out[0], err[0]};
  std::string* sinks[2] = {&run.out, &run.err};
  const auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool typed_eof = false;
  while ((fds[0] >= 0 || fds[1] >= 0) && std::chrono::steady_clock::now() < stop) {
    if (!typed_eof && run.err.find(wait_for) != std::string::npos) {
      const char eof = '\x04';  // Ctrl-D at the start of a line: end of input
      REQUIRE(::write(master, &eof, 1) == 1);
      typed_eof = true;
    }
    pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (::poll(p, 2, 100) < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k] < 0 || (p[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[k], buffer, sizeof buffer);
      if (got > 0) {
        sinks[k]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[k]);
        fds[k] = -1;
      }
    }
  }
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  ::kill(pid, SIGKILL);  // no-op when it has exited; never left running
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(master);
  CHECK(typed_eof);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace

TEST_CASE("ERR lines carry the event name, id and idempotency key", "[actionable]") {
  const std::string log = payloads + "/events.ndjson";
  const Run text = run_cli({"check", "--ndjson", "--headers", payloads + "/headers.txt", log});
  CHECK(text.status == 1);
  CHECK(text.out.find("events.ndjson:8  invalid_value at \"/data/fields/duration\": the duration "
                      "3.5 is not a whole number of seconds >= 0  [event=crmEngagement::created "
                      "id=40000007 key=call-29090716-created-1444223400781}]\n") !=
        std::string::npos);
  const Run run =
      run_cli({"check", "--ndjson", "--format=json", "--headers", payloads + "/headers.txt", log});
  const auto results = json_lines(run.out);
  REQUIRE(results.size() == 20);
  CHECK(results[7].value("event", "") == "crmEngagement::created");
  CHECK(results[7].value("id", "") == "40000007");
  CHECK(results[7].value("idempotencyKey", "") == "call-29090716-created-1444223400781}");
  CHECK(results[7]["error"]["code"] == "invalid_value");

  SECTION("without headers: event and id only; nothing when they cannot be read") {
    const Run plain = run_cli({"check", payloads + "/invalid/bad-date.json"});
    CHECK(plain.out.find("  [event=crmEngagement::created id=29090716]\n") != std::string::npos);
    const Run none = run_cli({"check", "--format=json"}, "[1,2]");
    const auto r = json_lines(none.out);
    REQUIRE(r.size() == 1);
    CHECK_FALSE(r[0].contains("event"));
    CHECK_FALSE(r[0].contains("id"));
    CHECK_FALSE(r[0].contains("idempotencyKey"));
    CHECK(run_cli({"check"}, "[1,2]").out.find('[', 1) == std::string::npos);
  }
}

TEST_CASE("invalid_json says where: byte offset, line and column; a BOM has its own message",
          "[actionable]") {
  SECTION("NDJSON: the line of the log, the column in it") {
    // Line 14 of the sample log holds a string that is not closed (at byte 166).
    const Run run = run_cli({"check", "--ndjson", "--format=json", payloads + "/events.ndjson"});
    const auto results = json_lines(run.out);
    REQUIRE(results.size() == 20);
    const json& e = results[12]["error"];
    CHECK(results[12]["line"] == 14);
    CHECK(e["code"] == "invalid_json");
    CHECK(e.value("offset", json()) == 166);
    CHECK(e.value("line", json()) == 14);
    CHECK(e.value("column", json()) == 167);
    CHECK(e.value("detail", json()) == "this string is not closed");
    const Run text = run_cli({"check", "--ndjson", payloads + "/events.ndjson"});
    CHECK(text.out.find("a string is not closed; at byte 166 (line 14, column 167): this string "
                        "is not closed") != std::string::npos);
  }
  SECTION("a pretty-printed file: line and column in the file") {
    TempDir dir;
    const std::string path =
        dir.write("body.json",
                  "{\n  \"event\": \"crmEngagement::created\",\n  \"data\": {\n"
                  "    \"id\": \"77\",\n    \"fields\": {\"a\": [1, 2 3]}\n  }\n}\n");
    const Run run = run_cli({"check", path});
    CHECK(run.status == 1);
    CHECK(run.out.find("at byte 93 (line 5, column 27): expected ',' or ']' after an array "
                       "element  [event=crmEngagement::created id=77]") != std::string::npos);
  }
  SECTION("a leading UTF-8 byte order mark") {
    const Run run = run_cli({"check"}, "\xEF\xBB\xBF" + make_body("\"t\""));
    CHECK(run.status == 1);
    CHECK(run.out.find("invalid_json at \"\": the body starts with a UTF-8 byte order mark") !=
          std::string::npos);
    const Run json_run = run_cli({"check", "--format=json"}, "\xEF\xBB\xBF{}");
    const auto r = json_lines(json_run.out);
    REQUIRE(r.size() == 1);
    CHECK(r[0]["error"]["message"].get<std::string>().rfind(
              "the body starts with a UTF-8 byte order mark", 0) == 0);
    CHECK(r[0]["error"].value("offset", json()) == 0);
  }
}

TEST_CASE("--errors-only prints only failing bodies; the summary counts all", "[actionable]") {
  const std::string log = payloads + "/events.ndjson";
  const Run text = run_cli({"check", "--ndjson", "--errors-only", log});
  CHECK(text.status == 1);
  const auto lines = split_lines(text.out);
  std::size_t err = 0;
  for (const std::string& line : lines) {
    CHECK(line.rfind("OK ", 0) != 0);
    if (line.rfind("ERR", 0) == 0) ++err;
  }
  CHECK(err == 3);
  CHECK(text.out.find("\n20 bodies: 17 valid") != std::string::npos);
  const Run run = run_cli({"check", "--ndjson", "--errors-only", "--format=json", log});
  const auto results = json_lines(run.out);
  REQUIRE(results.size() == 3);
  for (const json& r : results) CHECK(r["ok"] == false);
  const Run all_valid = run_cli({"check", "--errors-only", payloads + "/call-created.json"});
  CHECK(all_valid.status == 0);
  CHECK(all_valid.out == "1 body: 1 valid, 0 invalid\n");  // nothing printed before it
}

TEST_CASE("the summary counts unreadable inputs and says which bodies were valid", "[actionable]") {
  const Run run = run_cli({"check", "/nonexistent", payloads + "/call-created.json"});
  CHECK(run.status == 2);
  CHECK(run.out.find("\n1 input could not be read; 1 body: 1 valid, 0 invalid\n") !=
        std::string::npos);
  CHECK(run.err.find("cannot open /nonexistent") != std::string::npos);
  // Bodies of models without a type are valid: said next to "valid", never after "invalid".
  const Run mixed = run_cli(
      {"check", test_data + "/models/crm_quote_created.json", payloads + "/contact-updated.json",
       test_data + "/models/crm_quote_created.json", payloads + "/invalid/bad-date.json"});
  CHECK(mixed.out.find("4 bodies: 3 valid (2 of other models, checked at the envelope level), "
                       "1 invalid\n") != std::string::npos);
  CHECK(mixed.out.find("invalid (") == std::string::npos);
  CHECK(mixed.out.find("crmQuote::created  id=quote_42  (envelope checked; fields not typed)  "
                       "warnings=0\n") != std::string::npos);
}

TEST_CASE("check with a terminal on stdin says what it waits for", "[actionable]") {
  const std::string expected = "reading one webhook body from the terminal";
  const Run run = run_with_terminal_stdin({"check"}, expected);
  CHECK(run.err.find(expected) != std::string::npos);
  CHECK(run.err.find("Ctrl-D") != std::string::npos);
  CHECK(run.out.find("empty_body") != std::string::npos);  // Ctrl-D at once: an empty body
  CHECK(run.status == 1);
  // Not said when stdin is a pipe or a file.
  CHECK(run_cli({"check"}, make_body("\"t\"")).err.empty());
}

// ---------------------------------------------------------------------------------------------
// --jobs and --summary

TEST_CASE("--jobs N prints exactly what --jobs 1 prints, in the same order", "[jobs]") {
  namespace sample = morph::webhook::sample_log;
  TempDir dir;
  // A log of several batches (1 MiB each) with invalid lines in it...
  std::string big;
  std::size_t big_bodies = 0;
  std::size_t big_invalid = 0;
  for (std::size_t i = 0; i < 3000; ++i) {
    if (i % 41 == 40) {
      big += sample::invalid_line(i);
      ++big_invalid;
    } else {
      sample::append_event(big, i);
    }
    big += i % 97 == 3 ? "\r\n\n  \n" : "\n";  // CRLF and blank lines now and then
    ++big_bodies;
  }
  REQUIRE(big.size() > (std::size_t{3} << 20));
  const std::string big_path = dir.write("big.ndjson", big);
  // ... a small one with a line over --max-bytes and no final newline...
  std::string small;
  sample::append_event(small, 1);
  small += "\n{\"event\":\"" + std::string(150000, 'x') + "\"}\n";
  sample::append_event(small, 2);
  const std::string small_path = dir.write("small.ndjson", small);
  // ... and many whole files, some invalid.
  std::vector<std::string> files;
  for (std::size_t i = 0; i < 150; ++i) {
    std::string body;
    if (i % 11 == 5) {
      body = sample::invalid_line(i);
    } else {
      sample::append_event(body, i);
    }
    files.push_back(dir.write("body-" + std::to_string(i) + ".json", body));
  }
  const std::string unreadable = "/proc/self/mem";  // opens, then read() fails (EIO)

  struct Mode {
    std::string name;
    std::vector<std::string> args;
  };
  const std::vector<Mode> modes = {
      {"text", {}},
      {"json", {"--format=json"}},
      {"errors only", {"--errors-only"}},
      {"summary", {"--summary"}},
      {"JSON summary", {"--summary", "--format=json"}},
  };
  struct Inputs {
    std::string name;
    std::vector<std::string> args;
  };
  std::vector<std::string> whole = {"--max-bytes=100000"};
  whole.insert(whole.end(), files.begin(), files.begin() + 70);
  whole.insert(whole.end(), {"/nonexistent/a.json", unreadable, dir.write("empty.json", "")});
  whole.insert(whole.end(), files.begin() + 70, files.end());
  const std::vector<Inputs> inputs = {
      {"NDJSON logs",
       {"--ndjson", "--max-bytes=100000", big_path, "/nonexistent/x.ndjson", small_path, unreadable,
        fs::path(big_path).parent_path().string(), big_path}},
      {"whole files", whole},
  };
  for (const Inputs& in : inputs) {
    for (const Mode& mode : modes) {
      INFO(in.name << ", " << mode.name);
      std::vector<std::string> args = {"check"};
      args.insert(args.end(), mode.args.begin(), mode.args.end());
      args.insert(args.end(), in.args.begin(), in.args.end());
      std::vector<std::string> one = args;
      one.insert(one.begin() + 1, "--jobs=1");
      const Run reference = run_cli(one);
      CHECK(reference.status == 2);  // unreadable inputs
      CHECK(reference.err.find("cannot read /proc/self/mem") != std::string::npos);
      for (const std::string jobs : {"2", "5"}) {
        INFO("--jobs " << jobs);
        std::vector<std::string> many = args;
        many.insert(many.begin() + 1, {"--jobs", jobs});
        const Run run = run_cli(many);
        CHECK(run.status == reference.status);
        CHECK(run.err == reference.err);
        CHECK(run.out.size() == reference.out.size());
        CHECK(run.out == reference.out);
      }
      if (in.name == "NDJSON logs" && mode.name == "json") {
        // What --jobs 1 printed is right: every body once, in input order, with its line.
        const auto results = json_lines(reference.out);
        REQUIRE(results.size() == 2 * big_bodies + 3);
        for (std::size_t k = 1; k < big_bodies; ++k) {
          CHECK(results[k]["line"].get<std::size_t>() > results[k - 1]["line"].get<std::size_t>());
        }
        CHECK(results[big_bodies + 1]["error"]["code"] == "body_too_large");
        CHECK(results[big_bodies + 1]["line"] == 2);
        CHECK(results[big_bodies + 2]["line"] == 3);
        CHECK(results.back()["file"] == big_path);
      }
      if (in.name == "NDJSON logs" && mode.name == "JSON summary") {
        const json summary = json::parse(reference.out);
        CHECK(summary["bodies"] == 2 * big_bodies + 3);
        CHECK(summary["invalid"] == 2 * big_invalid + 1);
        CHECK(summary["unreadableInputs"] == 3);
      }
      if (in.name == "whole files" && mode.name == "text") {
        const auto lines = split_lines(reference.out);
        REQUIRE(lines.size() >= files.size() + 1);
        for (std::size_t k = 0; k < files.size(); ++k) {
          const std::string& line = lines[k < 70 ? k : k + 1];  // empty.json after the 70th
          INFO(line);
          CHECK(line.find("/body-" + std::to_string(k) + ".json  ") != std::string::npos);
        }
        CHECK(lines[70].find("/empty.json  empty_body") != std::string::npos);
      }
    }
  }

  SECTION("an NDJSON log on standard input") {
    const Run one = run_cli({"check", "--ndjson", "--jobs=1", "--format=json"}, big);
    const Run four = run_cli({"check", "--ndjson", "--jobs=4", "--format=json"}, big);
    CHECK(one.status == 1);
    CHECK(four.status == 1);
    CHECK(four.out == one.out);
    CHECK(json_lines(one.out).size() == big_bodies);
  }
  SECTION("--jobs takes 1 to 1024") {
    for (const std::string bad : {"0", "-1", "two", "1025", ""}) {
      INFO("--jobs " << bad);
      const Run run = run_cli({"check", "--jobs=" + bad, files[0]});
      CHECK(run.status == 2);
      CHECK(run.err.find("--jobs") != std::string::npos);
    }
    CHECK(run_cli({"check", "--jobs", "1024", files[0]}).status == 0);
  }
}

TEST_CASE("--summary prints the counts only; the exit status stays", "[jobs]") {
  const std::string log = payloads + "/events.ndjson";
  const Run text = run_cli({"check", "--ndjson", "--summary", log});
  CHECK(text.status == 1);
  CHECK(text.out ==
        "20 bodies: 17 valid, 3 invalid; 4 Morph warnings in valid bodies\n"
        "  invalid_json        1\n"
        "  invalid_value       2\n");
  const Run json_run = run_cli({"check", "--ndjson", "--summary", "--format=json", log});
  CHECK(json_run.status == 1);
  CHECK(json_run.out == R"({"bodies":20,"valid":17,"invalid":3,"untypedModels":0,"warnings":4,)"
                        R"("unreadableInputs":0,"errors":{"invalid_json":1,"invalid_value":2}})"
                        "\n");
  const Run valid = run_cli({"check", "--summary", payloads + "/call-created.json",
                             test_data + "/models/crm_quote_created.json"});
  CHECK(valid.status == 0);
  CHECK(valid.out ==
        "2 bodies: 2 valid (1 of another model, checked at the envelope level), "
        "0 invalid\n");
}
