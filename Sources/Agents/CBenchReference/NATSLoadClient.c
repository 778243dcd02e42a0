// A NATS load client for `concord bench gateway`: it drives Concord's gateway and nats-server
// alike, reading and writing at the machine's limit so that the nats-server column measures
// nats-server, not the client.
#include "CBenchReference.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { read_buffer_size = 1 << 20 };

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd item = {fd, POLLOUT, 0};
                poll(&item, 1, 1000);
                continue;
            }
            return -1;
        }
        bytes += written;
        length -= (size_t)written;
    }
    return 0;
}

/// Reads lines until a PONG (the server has handled everything sent before our PING); fails on
/// -ERR or when nothing comes within ten seconds.
static int await_pong(int fd, char *error, size_t error_len) {
    char buffer[4096];
    size_t used = 0;
    double deadline = monotonic_seconds() + 10;
    while (monotonic_seconds() < deadline) {
        struct pollfd item = {fd, POLLIN, 0};
        if (poll(&item, 1, 200) <= 0) continue;
        ssize_t count = read(fd, buffer + used, sizeof buffer - 1 - used);
        if (count <= 0) {
            snprintf(error, error_len, "the server closed the connection while signing in");
            return -1;
        }
        used += (size_t)count;
        buffer[used] = 0;
        char *start = buffer, *newline;
        while ((newline = strchr(start, '\n')) != NULL) {
            if (strncmp(start, "PONG", 4) == 0) return 0;
            if (strncmp(start, "-ERR", 4) == 0) {
                snprintf(error, error_len, "%.*s", (int)(newline - start), start);
                return -1;
            }
            start = newline + 1;
        }
        used = strlen(start);
        memmove(buffer, start, used);
    }
    snprintf(error, error_len, "no PONG within 10 s");
    return -1;
}

/// Connects, reads INFO, signs in, sends `extra` (e.g. a SUB) and waits for the PONG to a PING.
static int nats_connect(const char *host, int port, const char *token, const char *extra, char *error, size_t error_len) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        snprintf(error, error_len, "connect %s:%d: %s", host, port, strerror(errno));
        close(fd);
        return -1;
    }
    char hello[1024];
    int length = snprintf(hello, sizeof hello,
                          "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"protocol\":1%s%s%s}\r\n%sPING\r\n",
                          token ? ",\"auth_token\":\"" : "", token ? token : "", token ? "\"" : "", extra ? extra : "");
    if (write_all(fd, (const uint8_t *)hello, (size_t)length) != 0 || await_pong(fd, error, error_len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    int fd;
    uint8_t *buffer;
    size_t used;
    /// Payload bytes (with their CRLF) still to skip before the current message is whole.
    size_t skip;
    atomic_llong count;
} reader_connection;

struct concord_nats_readers {
    reader_connection *connections;
    int count;
    int epoll;
    atomic_int stop;
    int started;
    pthread_t thread;
};

/// Consumes whole operations from the connection's buffer, counting MSG and HMSG.
static void parse(reader_connection *connection) {
    size_t position = 0;
    long long completed = 0;
    while (position < connection->used) {
        if (connection->skip > 0) {
            size_t take = connection->used - position < connection->skip ? connection->used - position : connection->skip;
            position += take;
            connection->skip -= take;
            if (connection->skip == 0) completed += 1;
            continue;
        }
        uint8_t *start = connection->buffer + position;
        uint8_t *newline = memchr(start, '\n', connection->used - position);
        if (!newline) break;
        size_t line = (size_t)(newline - start);
        if (line >= 4 && (memcmp(start, "MSG ", 4) == 0 || (line >= 5 && memcmp(start, "HMSG ", 5) == 0))) {
            // The last field is the total size of what follows.
            uint8_t *end = newline;
            if (end > start && end[-1] == '\r') end--;
            uint8_t *field = end;
            while (field > start && field[-1] != ' ') field--;
            size_t size = 0;
            for (uint8_t *digit = field; digit < end; digit++) size = size * 10 + (size_t)(*digit - '0');
            connection->skip = size + 2;
        } else if (line >= 4 && memcmp(start, "PING", 4) == 0) {
            write_all(connection->fd, (const uint8_t *)"PONG\r\n", 6);
        }
        position += line + 1;
    }
    memmove(connection->buffer, connection->buffer + position, connection->used - position);
    connection->used -= position;
    if (completed) atomic_fetch_add_explicit(&connection->count, completed, memory_order_relaxed);
}

static void *readers_main(void *argument) {
    concord_nats_readers *readers = argument;
    struct epoll_event events[64];
    while (!atomic_load(&readers->stop)) {
        int ready = epoll_wait(readers->epoll, events, 64, 100);
        for (int index = 0; index < ready; index++) {
            reader_connection *connection = events[index].data.ptr;
            for (;;) {
                ssize_t count = read(connection->fd, connection->buffer + connection->used, read_buffer_size - connection->used);
                if (count <= 0) break;
                connection->used += (size_t)count;
                parse(connection);
            }
        }
    }
    return NULL;
}

concord_nats_readers *concord_nats_readers_start(const char *host, int port, const char *token, const char *subject,
                                                 int connections, char *error, size_t error_len) {
    concord_nats_readers *readers = calloc(1, sizeof *readers);
    readers->connections = calloc((size_t)connections, sizeof *readers->connections);
    readers->epoll = epoll_create1(0);
    atomic_init(&readers->stop, 0);
    char subscribe[512];
    snprintf(subscribe, sizeof subscribe, "SUB %s 1\r\n", subject);
    for (int index = 0; index < connections; index++) {
        int fd = nats_connect(host, port, token, subscribe, error, error_len);
        if (fd < 0) {
            concord_nats_readers_stop(readers);
            return NULL;
        }
        int size = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        // Non-blocking: the thread drains each socket until it would block.
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        reader_connection *connection = &readers->connections[index];
        connection->fd = fd;
        connection->buffer = malloc(read_buffer_size);
        atomic_init(&connection->count, 0);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = connection};
        epoll_ctl(readers->epoll, EPOLL_CTL_ADD, fd, &event);
        readers->count = index + 1;
    }
    readers->started = 1;
    pthread_create(&readers->thread, NULL, readers_main, readers);
    return readers;
}

int64_t concord_nats_readers_min(concord_nats_readers *readers) {
    int64_t least = INT64_MAX;
    for (int index = 0; index < readers->count; index++) {
        int64_t count = atomic_load_explicit(&readers->connections[index].count, memory_order_relaxed);
        if (count < least) least = count;
    }
    return readers->count ? least : 0;
}

int64_t concord_nats_readers_total(concord_nats_readers *readers) {
    int64_t total = 0;
    for (int index = 0; index < readers->count; index++) {
        total += atomic_load_explicit(&readers->connections[index].count, memory_order_relaxed);
    }
    return total;
}

void concord_nats_readers_stop(concord_nats_readers *readers) {
    if (!readers) return;
    atomic_store(&readers->stop, 1);
    if (readers->started) pthread_join(readers->thread, NULL);
    for (int index = 0; index < readers->count; index++) {
        close(readers->connections[index].fd);
        free(readers->connections[index].buffer);
    }
    close(readers->epoll);
    free(readers->connections);
    free(readers);
}

struct concord_nats_writer {
    int fd;
};

concord_nats_writer *concord_nats_writer_open(const char *host, int port, const char *token, char *error, size_t error_len) {
    int fd = nats_connect(host, port, token, NULL, error, error_len);
    if (fd < 0) return NULL;
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    concord_nats_writer *writer = calloc(1, sizeof *writer);
    writer->fd = fd;
    return writer;
}

int64_t concord_nats_writer_send(concord_nats_writer *writer, const uint8_t *message, size_t message_len, int64_t total,
                                 int64_t window, int64_t (*arrived)(void *), void *context, int stall_ms) {
    enum { batch = 500 };
    uint8_t *chunk = malloc(message_len * batch);
    for (int index = 0; index < batch; index++) memcpy(chunk + (size_t)index * message_len, message, message_len);
    int64_t sent = 0;
    int64_t last_seen = -1;
    double last_progress = monotonic_seconds();
    while (sent < total) {
        int64_t seen = arrived(context);
        if (seen != last_seen) {
            last_seen = seen;
            last_progress = monotonic_seconds();
        }
        if (sent - seen >= window) {
            if ((monotonic_seconds() - last_progress) * 1000 > stall_ms) break;
            // 100 µs: shorter pauses wake this thread so often that it takes CPU from the server
            // it measures (measured here: 20 µs gave 0.92–0.97 M msg/s one-to-one, 100 µs 1.0–1.15 M).
            struct timespec pause = {0, 100000};
            nanosleep(&pause, NULL);
            continue;
        }
        int64_t count = total - sent < batch ? total - sent : batch;
        if (write_all(writer->fd, chunk, (size_t)count * message_len) != 0) {
            free(chunk);
            return -1;
        }
        sent += count;
    }
    free(chunk);
    return sent;
}

void concord_nats_writer_close(concord_nats_writer *writer) {
    if (!writer) return;
    close(writer->fd);
    free(writer);
}
