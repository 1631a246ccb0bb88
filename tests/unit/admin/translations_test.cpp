// Translations as gettext PO: export, parse, and what an import would change.
#include "admin/translations.hpp"

#include <doctest/doctest.h>

#include "admin/content_edit.hpp"
#include "locales/embedded.hpp"

namespace buurtlijn::admin {
namespace {

std::shared_ptr<const dialogs::Content> builtin() {
  Files files;
  for (const auto& [name, text] : locales::embedded_files()) files.emplace_back(name, text);
  static const auto content = *ContentEditor::build(files);
  return content;
}

TEST_CASE("admin: a PO export parses back to the same texts and changes nothing") {
  const auto content = builtin();
  const std::string po = export_po(*content, "ro", {"nodes.brp.text"});
  CHECK(po.find("\"Language: ro\\n\"") != std::string::npos);
  CHECK(po.find("msgctxt \"nodes.waste_milieupas.text\"") != std::string::npos);
  auto catalog = parse_po(po);
  REQUIRE_MESSAGE(catalog, catalog.error());
  CHECK(catalog->language == "ro");
  CHECK(catalog->entries.size() > 40);
  for (const PoEntry& entry : catalog->entries) {
    CHECK(entry.fuzzy == (entry.key == "nodes.brp.text"));
    const auto own = content->lookup(entry.key, "ro");
    REQUIRE(own);
    if (!own->fallback) CHECK(entry.translation == own->pattern);
  }
  CHECK(po_changes(*content, *catalog).empty());
}

TEST_CASE("admin: an edited PO entry is one change; fuzzy and empty entries are not") {
  const auto content = builtin();
  const std::string po = R"(# a translator's file
msgid ""
msgstr ""
"Language: ro\n"

#. nl: ...
msgctxt "nodes.waste_milieupas.text"
msgid "The underground containers ..."
msgstr "Rând unu "
"cu \"ghilimele\"\n"
"rând doi"

#, fuzzy
msgctxt "nodes.brp.text"
msgid "x"
msgstr "nesigur"

msgctxt "nodes.brp.label"
msgid "x"
msgstr ""
)";
  auto catalog = parse_po(po);
  REQUIRE_MESSAGE(catalog, catalog.error());
  REQUIRE(catalog->entries.size() == 3);
  CHECK(catalog->entries[0].translation == "Rând unu cu \"ghilimele\"\nrând doi");
  CHECK(catalog->entries[1].fuzzy);
  const auto changes = po_changes(*content, *catalog);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].key == "nodes.waste_milieupas.text");
  CHECK(changes[0].after == "Rând unu cu \"ghilimele\"\nrând doi");
  CHECK_FALSE(changes[0].before.empty());
}

TEST_CASE("admin: malformed PO is refused with its line") {
  auto unquoted = parse_po("msgid \"\"\nmsgstr \"Language: ro\\n\"\n\nmsgctxt nodes.x\n");
  REQUIRE_FALSE(unquoted);
  CHECK(unquoted.error().rfind("line 4:", 0) == 0);
  CHECK_FALSE(parse_po("msgctxt \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n"));  // no Language header
  CHECK_FALSE(parse_po("msgid \"\"\nmsgstr \"Language: ro\\n\"\nmsgid_plural \"x\"\n"));
}

}  // namespace
}  // namespace buurtlijn::admin
