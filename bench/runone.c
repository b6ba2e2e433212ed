/* runone: run one command and report its wall time and resource usage.
 *
 *   runone STDIN_FILE STDOUT_FILE COMMAND [ARG...]
 *
 * Prints one line on stdout:
 *   wall_ns=N maxrss_kb=N user_us=N sys_us=N status=N
 * status is the exit status, or 128+signal.
 *
 * Why a C helper: Linux reports ru_maxrss of a child as at least the peak
 * RSS of the process it was forked or vforked from, so timing from the
 * Python runner (which may have grown) would inflate small peaks. This
 * helper stays at about 1 MB, starts the clock just before fork() and
 * stops it when wait4() returns. Part of the mail2webhook benchmark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: runone STDIN_FILE STDOUT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY | O_CLOEXEC);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in < 0 || out < 0) {
        fprintf(stderr, "runone: cannot open %s: %s\n",
                in < 0 ? argv[1] : argv[2], strerror(errno));
        return 2;
    }
    long long start = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        perror("runone: fork");
        return 2;
    }
    if (pid == 0) {
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
            _exit(126);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "runone: cannot run %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("runone: wait4");
            return 2;
        }
    }
    long long wall = now_ns() - start;
    int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                 : 128 + WTERMSIG(status);
    printf("wall_ns=%lld maxrss_kb=%ld user_us=%lld sys_us=%lld status=%d\n",
           wall, ru.ru_maxrss,
           (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
           (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec,
           code);
    return 0;
}
