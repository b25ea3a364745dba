// A downstream program using the installed SQLite inbox: open a fresh file, append twice (the
// second is a duplicate), lease, ack. Exit code 0 when every expectation holds.
#include <morph/webhook/inbox/sqlite.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

namespace mw = morph::webhook;

int main() {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "morph-webhook-consumer-sqlite";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  int failures = 0;
  const auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "consumer: FAILED: %s\n", what);
      ++failures;
    }
  };
  {
    auto inbox = mw::SqliteInbox::open((dir / "inbox.db").string());
    expect(inbox.has_value(), "the inbox opens");
    if (!inbox) return 1;
    const mw::Headers headers{"hubspot", "42", "evt-1"};
    const auto first = (*inbox)->append(headers, "{}", mw::EventFacts{});
    const auto second = (*inbox)->append(headers, "{}", mw::EventFacts{});
    expect(first && first->status == mw::AppendStatus::stored, "first append stored");
    expect(second && second->status == mw::AppendStatus::duplicate, "retry is a duplicate");
    auto leased = (*inbox)->lease(10, std::chrono::seconds(30));
    expect(leased && leased->size() == 1, "one delivery leased");
    if (leased && leased->size() == 1) {
      expect((*inbox)->ack(leased->front()).has_value(), "ack");
    }
  }
  std::filesystem::remove_all(dir);
  if (failures == 0) std::printf("consumer: SQLite inbox checks passed\n");
  return failures == 0 ? 0 : 1;
}
