// --config FILE, MORPH_WEBHOOK_<OPTION> variables and --print-config, through the built
// `morph-webhook` (real processes): precedence flag > environment > file > default, every
// option a key, unknown keys and bad values named, secrets masked. Fixtures: tests/data/config.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"

extern char** environ;

namespace {

const std::string config_dir = MORPH_WEBHOOK_TEST_DATA_DIR "/config";

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

/// Runs `morph-webhook args...` with our environment minus every MORPH_WEBHOOK_* variable,
/// plus `env` (NAME=VALUE).
Run run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "MORPH_WEBHOOK_", 14) != 0) environment.emplace_back(*e);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<std::string> argv_storage{MORPH_WEBHOOK_CLI_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (auto& s : argv_storage) argv.push_back(&s[0]);  // not data(): const before C++17
  argv.push_back(nullptr);
  for (auto& s : environment) envp.push_back(&s[0]);
  envp.push_back(nullptr);

  int out[2], err[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, MORPH_WEBHOOK_CLI_PATH, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  REQUIRE(spawned == 0);
  Run run;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open = 2;
  while (open > 0) {
    REQUIRE(::poll(fds, 2, 30000) > 0);  // a command here never runs for 30 s
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("precedence: command line > environment > file > default", "[config]") {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::vector<std::string> expected;  // lines of --print-config
  };
  const std::string file = config_dir + "/serve.toml";
  const std::vector<Case> cases = {
      // defaults, from the library's structs
      {{"serve"},
       {},
       {"port = 8080", "idle-timeout = \"30s\"", "threads = 64", "strict = false",
        "inbox = \"sqlite:morph-inbox.db\"", "models = \"all\""}},
      // the file
      {{"serve", "--config", file},
       {},
       {"port = 9000", "idle-timeout = \"45s\"", "strict = true",
        "models = \"crmEngagement,genericContact\"", "header-timeout = \"10s\""}},
      // the environment over the file
      {{"serve", "--config", file},
       {"MORPH_WEBHOOK_PORT=9100", "MORPH_WEBHOOK_STRICT=false"},
       {"port = 9100", "strict = false", "idle-timeout = \"45s\""}},
      // the command line over both
      {{"serve", "--config", file, "--port", "9200", "--idle-timeout", "1m"},
       {"MORPH_WEBHOOK_PORT=9100"},
       {"port = 9200", "idle-timeout = \"1m\""}},
      // the file named by MORPH_WEBHOOK_CONFIG
      {{"serve"}, {"MORPH_WEBHOOK_CONFIG=" + file}, {"port = 9000"}},
      // a parent table applies to its subcommands; the command's own table first
      {{"inbox", "work", "--config", file, "--", "true"},
       {},
       {"[inbox.work]", "inbox = \"sqlite:/var/lib/morph-webhook/inbox.db\"", "concurrency = 3"}},
      {{"inbox", "stats", "--config", file},
       {},
       {"[inbox.stats]", "inbox = \"sqlite:/var/lib/morph-webhook/inbox.db\""}},
      // top-level keys apply to every command with the option
      {{"inbox", "stats", "--config", config_dir + "/top_level.toml"},
       {},
       {"inbox = \"sqlite:shared.db\"", "format = \"json\""}},
      {{"check", "--config", config_dir + "/top_level.toml"}, {}, {"format = \"json\""}},
      // every option has its variable, flags included
      {{"serve"},
       {"MORPH_WEBHOOK_MAX_BODY_BYTES=1000", "MORPH_WEBHOOK_DRAIN_TIMEOUT=2s",
        "MORPH_WEBHOOK_STRICT=yes", "MORPH_WEBHOOK_MAX_REQUESTS_PER_CONNECTION=7"},
       {"max-body-bytes = 1000", "drain-timeout = \"2s\"", "strict = true",
        "max-requests-per-connection = 7"}},
      {{"inbox", "work", "--", "true"},
       {"MORPH_WEBHOOK_UNTIL_EMPTY=true", "MORPH_WEBHOOK_LEASE=2m"},
       {"until-empty = true", "lease = \"2m\""}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    // --print-config goes before `--` (inbox work's COMMAND)
    auto dashes = std::find(args.begin(), args.end(), "--");
    args.insert(dashes, "--print-config");
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    for (const auto& e : c.env) joined += "[" + e + "] ";
    INFO(joined);
    const Run run = run_cli(args, c.env);
    INFO(run.err);
    CHECK(run.status == 0);
    for (const std::string& line : c.expected) {
      INFO(run.out);
      CHECK(has("\n" + run.out, "\n" + line + "\n"));
    }
  }
}

TEST_CASE("--print-config masks secrets and runs nothing", "[config]") {
  const Run run = run_cli({"serve", "--config", config_dir + "/serve.toml", "--print-config"});
  CHECK(run.status == 0);
  CHECK(has(run.out, "inbox = \"redis://:***@127.0.0.1:6379/0?name=shop\""));
  CHECK_FALSE(has(run.out, "hunter2"));
  CHECK_FALSE(has(run.out, "listening"));
  // the printed configuration is a config file that gives the same configuration
  const Run env =
      run_cli({"serve", "--print-config"}, {"MORPH_WEBHOOK_INBOX=redis://user:pw-123@host:1/2"});
  CHECK(has(env.out, "inbox = \"redis://user:***@host:1/2\""));
  CHECK_FALSE(has(env.out, "pw-123"));
}

TEST_CASE("unknown keys, bad values and missing files are usage errors that name them",
          "[config]") {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string in_stderr;
  };
  const std::vector<Case> cases = {
      {{"serve", "--config", config_dir + "/unknown_key.toml"}, {}, "unknown key 'serve.prot'"},
      {{"serve", "--config", config_dir + "/unknown_table.toml"},
       {},
       "unknown key 'serv.port' in " + config_dir + "/unknown_table.toml (no command 'serv')"},
      {{"serve", "--config", config_dir + "/bad_value.toml"}, {}, "'serve.port' in "},
      {{"serve", "--config", config_dir + "/nonexistent.toml"}, {}, "cannot read the config file"},
      {{"serve"}, {"MORPH_WEBHOOK_PORT=eighty"}, "environment variable MORPH_WEBHOOK_PORT"},
      {{"serve"}, {"MORPH_WEBHOOK_STRICT=maybe"}, "MORPH_WEBHOOK_STRICT: expected true or false"},
      {{"serve"}, {"MORPH_WEBHOOK_IDLE_TIMEOUT=soon"}, "MORPH_WEBHOOK_IDLE_TIMEOUT"},
      {{"serve"}, {"MORPH_WEBHOOK_CONFIG=/nonexistent.toml"}, "cannot read the config file"},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    INFO(joined);
    const Run run = run_cli(c.args, c.env);
    CHECK(run.status == 2);
    CHECK(has(run.err, c.in_stderr));
    CHECK(has(run.err, "Try 'morph-webhook serve --help'."));
    CHECK_FALSE(has(run.out, "listening"));
  }
}
