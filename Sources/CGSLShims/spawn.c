/* Starting a program without a shell, for gnuplot (Subprocess.swift). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include "CGSLShims.h"

extern char **environ;

int vbq_spawn(const char *path, char *const argv[], const char *dir, int *stderr_read, int *pid_out) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, ends[1], 2);
    posix_spawn_file_actions_addchdir_np(&actions, dir);
    pid_t pid;
    int status = posix_spawn(&pid, path, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(ends[1]);
    if (status != 0) { close(ends[0]); return status; }
    *stderr_read = ends[0];
    *pid_out = (int)pid;
    return 0;
}
