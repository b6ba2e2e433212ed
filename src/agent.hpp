// The delivery pipeline: options -> read -> build payload -> deliver ->
// one outcome. Only this module knows every other one.
#pragma once

namespace agent {

// Runs the program and returns its exit status. Prints the one status line
// on failure. Never throws.
int run(int argc, char** argv) noexcept;

} // namespace agent
