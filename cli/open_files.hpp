#pragma once
// Every virtual user keeps its own keep-alive connection, and a target
// serves one per user, so swarm needs as many file descriptors as users.
// Debian starts processes with a soft limit of 1024 (hard: 1048576 or so);
// left there, the 1000-somethingth user fails with "Too many open files".
// Called once from main() before any command runs.

namespace swarm::cli {

// Raises this process's soft RLIMIT_NOFILE to its hard limit. Never fails:
// when it cannot, the old limit stays and the command runs as before.
void raise_open_file_limit();

}  // namespace swarm::cli
