// The unit-test runner: every file under tests/unit/<room>/ adds its cases here.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
