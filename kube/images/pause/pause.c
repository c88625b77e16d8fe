/*
 * The pod sandbox process of the local node's pause image (ordinal.local/pause:3.10, kube/build-images.sh).
 *
 * containerd starts it first in every pod: it holds the pod's namespaces open for the pod's containers and, as PID 1
 * of a pod that shares its process namespace, collects their exited children. It does nothing else: it waits for
 * signals, reaps on SIGCHLD and exits 0 on SIGINT or SIGTERM (containerd stops a sandbox with SIGTERM, then SIGKILL).
 *
 * Built static (gcc -static) so that the image needs no libc: the image holds this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int signo) {
    (void) signo;
    _exit(0);
}

static void on_child(int signo) {
    (void) signo;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
        /* one exited child per iteration until none is left */
    }
    errno = saved;
}

static int install(int signo, void (*handler)(int), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    return sigaction(signo, &action, NULL);
}

int main(int argc, char **argv) {
    if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
        puts("ordinal pause 3.10");
        return 0;
    }
    if (install(SIGINT, on_stop, 0) != 0 || install(SIGTERM, on_stop, 0) != 0
        || install(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) != 0) {
        perror("pause: sigaction");
        return 1;
    }
    if (getpid() != 1) {
        fputs("pause: not running as PID 1 (fine for a test; in a pod it is PID 1 of the sandbox)\n", stderr);
    }
    for (;;) {
        pause();
    }
}
