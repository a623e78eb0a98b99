/*
 * The pod sandbox's process: it holds the pod's namespaces and does nothing until it is told to
 * stop. Built with `gcc -static` into the pause image k3s names (rancher/mirrored-pause), since no
 * registry is reachable here. It also reaps the zombies of a pod that shares its PID namespace.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal) { (void) signal; _exit(0); }

static void reap(int signal) {
    (void) signal;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void) {
    struct sigaction on_stop = {.sa_handler = stop};
    struct sigaction on_child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
    sigaction(SIGINT, &on_stop, NULL);
    sigaction(SIGTERM, &on_stop, NULL);
    sigaction(SIGCHLD, &on_child, NULL);
    for (;;) {
        pause();
    }
    return EXIT_FAILURE;
}
