// parse_file: reads a Morph webhook body from a file, prints the event or the error.
//
//   parse_file [--strict] FILE
//
// Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
#include <morph/webhook.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace mw = morph::webhook;

namespace {

void print_refs(const char* name, const std::optional<mw::RefList>& refs) {
  if (!refs) return;
  std::cout << "  " << name << ":";
  for (const mw::ResourceRef& ref : *refs) std::cout << ' ' << ref.model << '/' << ref.id;
  std::cout << '\n';
}

template <class E>
void print_enum(const char* name, const std::optional<mw::EnumField<E>>& field) {
  if (!field) return;
  std::cout << "  " << name << ": " << field->text
            << (field->is_unknown() ? " (unknown value)" : "") << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  mw::ParseOptions options;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--strict") {
      options.policy = mw::Policy::strict;
    } else if (!path) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (!path) {
    std::cerr << "usage: parse_file [--strict] FILE\n";
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "parse_file: cannot read " << path << '\n';
    return 2;
  }
  std::ostringstream content;
  content << in.rdbuf();
  const std::string body = content.str();

  mw::Parser parser(options);
  const mw::Result<mw::WebhookEvent> result = parser.parse(body);
  if (!result) {
    const mw::Error& error = result.error();
    std::cout << "error: " << mw::to_string(error.code) << "\n  pointer: \"" << error.pointer
              << "\"\n  message: " << error.message << '\n';
    return 1;
  }
  // `event` views into `parser`: use it before the next parse.
  const mw::WebhookEvent& event = *result;
  std::cout << event.event << " id=" << event.id << '\n'
            << "  createdAt: " << event.created_at.text
            << "\n  updatedAt: " << event.updated_at.text << '\n';
  const mw::Engagement& f = event.fields;
  print_enum("type", f.type);
  print_enum("direction", f.direction);
  print_enum("status", f.status);
  if (f.title) std::cout << "  title: " << *f.title << '\n';
  if (f.description) std::cout << "  description: " << f.description->size() << " bytes\n";
  if (f.started_at) std::cout << "  startedAt: " << f.started_at->text << '\n';
  if (f.ended_at) std::cout << "  endedAt: " << f.ended_at->text << '\n';
  if (f.duration) std::cout << "  duration: " << *f.duration << " s\n";
  if (f.owner) std::cout << "  owner: " << f.owner->model << '/' << f.owner->id << '\n';
  print_refs("users", f.users);
  print_refs("companies", f.companies);
  print_refs("contacts", f.contacts);
  print_refs("opportunities", f.opportunities);
  if (event.raw_resource)
    std::cout << "  rawResource: " << event.raw_resource->size() << " bytes\n";
  for (const mw::Warning& w : event.warnings) {
    std::cout << "  warning: " << w.code << (w.message ? ": " : "") << w.message.value_or("")
              << '\n';
  }
  return 0;
}
