// Benchmark of dialogs::classify() and of parsing the content (start-up), over the
// evaluation messages of tests/eval/<code>.tsv, all 16 languages loaded. Single-threaded
// by design: the figure is messages per second on one core.
//
//   buurtlijn_classify_bench [--locales DIR] [--eval-dir DIR] [--seconds S] [--eval] [-v]
//                            [--explain MESSAGE]
//
// --eval prints the per-language accuracy table (what tests/unit/dialogs/evaluation_test
// asserts) and, with -v, every miss. Boundary code: reads files, prints to stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dialogs/classify.hpp"
#include "dialogs/content.hpp"
#include "locales/embedded.hpp"

namespace {

using namespace buurtlijn;
using Clock = std::chrono::steady_clock;
using Files = std::vector<std::pair<std::string, std::string>>;

struct Case {
  std::string language;
  std::string topic;
  std::string node;
  std::string message;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Files locale_files(const std::string& dir) {
  Files files;
  if (dir.empty()) {
    for (const auto& [name, text] : locales::embedded_files()) {
      files.emplace_back(std::string(name), std::string(text));
    }
    return files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") {
      files.emplace_back(entry.path().filename().string(), read_file(entry.path()));
    }
  }
  return files;
}

std::vector<Case> eval_cases(const std::string& dir) {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".tsv") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    std::istringstream in(read_file(path));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto first = line.find('\t');
      const auto second = first == std::string::npos ? first : line.find('\t', first + 1);
      if (second == std::string::npos) continue;
      cases.push_back(Case{path.stem().string(), line.substr(0, first),
                           line.substr(first + 1, second - first - 1), line.substr(second + 1)});
    }
  }
  return cases;
}

// CPU time of the calling thread: the machine is shared, so wall time alone would count
// the time other processes had the core.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

void print_evaluation(const dialogs::Content& content, const std::vector<Case>& cases,
                      bool verbose) {
  struct Row {
    int total = 0, topic = 0, language = 0, with_node = 0, node = 0;
  };
  std::map<std::string, Row> rows;
  Row all;
  for (const Case& c : cases) {
    const dialogs::Classification got = dialogs::classify(c.message, content);
    Row& row = rows[c.language];
    const bool topic_ok = got.topic == c.topic;
    const bool language_ok = got.language == c.language;
    for (Row* r : {&row, &all}) {
      ++r->total;
      r->topic += topic_ok;
      r->language += language_ok;
      if (!c.node.empty()) {
        ++r->with_node;
        r->node += got.node == c.node;
      }
    }
    if (verbose && (!topic_ok || !language_ok)) {
      std::printf("%s want %s/%s got %s %s/%s %.2f | %s\n", c.language.c_str(), c.topic.c_str(),
                  c.node.empty() ? "-" : c.node.c_str(), got.language.c_str(), got.topic.c_str(),
                  got.node.empty() ? "-" : got.node.c_str(), got.confidence, c.message.c_str());
    }
  }
  auto print = [](const std::string& name, const Row& r) {
    std::printf("%-4s %4d  topic %5.1f%%  language %5.1f%%  node %5.1f%%\n", name.c_str(), r.total,
                100.0 * r.topic / r.total, 100.0 * r.language / r.total,
                r.with_node == 0 ? 0.0 : 100.0 * r.node / r.with_node);
  };
  for (const auto& [language, row] : rows) print(language, row);
  print("all", all);
}

}  // namespace

int main(int argc, char** argv) {
  std::string locales_dir;
  std::string eval_dir = std::string(BUURTLIJN_SOURCE_DIR) + "/tests/eval";
  double seconds = 3;
  bool eval = false;
  bool verbose = false;
  std::string explain;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--locales" && i + 1 < argc) {
      locales_dir = argv[++i];
    } else if (arg == "--eval-dir" && i + 1 < argc) {
      eval_dir = argv[++i];
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (arg == "--eval") {
      eval = true;
    } else if (arg == "--explain" && i + 1 < argc) {
      explain = argv[++i];
    } else if (arg == "-v") {
      verbose = true;
    } else {
      std::cerr << "usage: buurtlijn_classify_bench [--locales DIR] [--eval-dir DIR] "
                   "[--seconds S] [--eval] [-v]\n";
      return 2;
    }
  }

  const Files files = locale_files(locales_dir);
  std::vector<double> parse_ms;
  std::shared_ptr<const dialogs::Content> content;
  for (int run = 0; run < (eval ? 1 : 5); ++run) {
    const auto start = Clock::now();
    auto parsed = dialogs::parse_content(files);
    parse_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!parsed) {
      std::cerr << "content refused:\n" << parsed.error().describe();
      return 1;
    }
    content = *parsed;
  }
  if (!explain.empty()) {
    const dialogs::Classification got = dialogs::classify(explain, *content);
    std::printf("%s %s/%s %.3f (language %s %.2f)\n", got.language.c_str(), got.topic.c_str(),
                got.node.c_str(), got.confidence, got.detected_language.c_str(),
                got.language_confidence);
    const auto ranked = dialogs::rank_nodes(explain, *content, got.language);
    for (std::size_t i = 0; i < ranked.size() && i < 8; ++i) {
      std::printf("  %-22s %.3f\n", ranked[i].first.c_str(), ranked[i].second);
    }
    return 0;
  }
  const std::vector<Case> cases = eval_cases(eval_dir);
  if (cases.empty()) {
    std::cerr << "no evaluation messages in " << eval_dir << "\n";
    return 1;
  }
  if (eval) {
    print_evaluation(*content, cases, verbose);
    return 0;
  }

  // Warm up, then classify the messages round-robin for `seconds`, timing each call.
  for (const Case& c : cases) (void)dialogs::classify(c.message, *content);
  std::vector<double> latency_us;
  latency_us.reserve(1 << 20);
  const auto begin = Clock::now();
  const double cpu_begin = thread_cpu_seconds();
  const auto deadline = begin + std::chrono::duration<double>(seconds);
  std::size_t count = 0;
  std::size_t topics = 0;  // keeps the calls from being optimised away
  while (Clock::now() < deadline) {
    for (const Case& c : cases) {
      const auto start = Clock::now();
      const dialogs::Classification result = dialogs::classify(c.message, *content);
      latency_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      topics += result.topic.size();
      ++count;
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  const double cpu = thread_cpu_seconds() - cpu_begin;
  std::printf("languages            %zu\n", content->languages().size());
  std::printf("evaluation messages  %zu\n", cases.size());
  std::printf("content parse        min %.1f ms, median %.1f ms (%zu runs)\n",
              *std::min_element(parse_ms.begin(), parse_ms.end()), percentile(parse_ms, 0.5),
              parse_ms.size());
  std::printf("classified           %zu in %.2f s (checksum %zu)\n", count, elapsed, topics);
  std::printf(
      "throughput           %.0f messages/s of wall time, %.0f per CPU second of this "
      "thread (%.0f%% of the wall time on the CPU)\n",
      static_cast<double>(count) / elapsed, static_cast<double>(count) / cpu,
      100.0 * cpu / elapsed);
  std::printf("latency              p50 %.1f us, p99 %.1f us, max %.1f us\n",
              percentile(latency_us, 0.5), percentile(latency_us, 0.99),
              *std::max_element(latency_us.begin(), latency_us.end()));
  return 0;
}
