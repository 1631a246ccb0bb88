// The buurtlijn executable: hands the command line to cli.cpp. Exceptions that escape
// everything else are reported here, once.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "gateway/cli.hpp"

int main(int argc, char** argv) {
  try {
    return buurtlijn::gateway::run_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& error) {
    std::cerr << "buurtlijn: fatal: " << error.what() << "\n";
    return 1;
  }
}
