// libzmq's C path for `concord bench bus`: publisher -> zmq_proxy -> subscriber over loopback TCP.
#include "CBenchReference.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    void *context;
    const char *endpoint;
    const char *topic;
    int count;
    int stall_ms;
    atomic_int saw_probe;
    int received;
    double first;
    double last;
    char error[256];
} subscriber_state;

static const char *probe_topic = "concord.bench.probe";

static void *subscriber_main(void *argument) {
    subscriber_state *state = argument;
    void *sub = zmq_socket(state->context, ZMQ_SUB);
    if (!sub) {
        snprintf(state->error, sizeof state->error, "subscriber socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &state->stall_ms, sizeof state->stall_ms);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, state->topic, strlen(state->topic));
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, probe_topic, strlen(probe_topic));
    if (zmq_connect(sub, state->endpoint) != 0) {
        snprintf(state->error, sizeof state->error, "subscriber connect %s: %s", state->endpoint, zmq_strerror(zmq_errno()));
        zmq_close(sub);
        return NULL;
    }
    zmq_msg_t frame;
    while (state->received < state->count) {
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, sub, 0) < 0) {
            zmq_msg_close(&frame);
            snprintf(state->error, sizeof state->error, "the libzmq subscriber received %d of %d messages (nothing for %d ms)",
                     state->received, state->count, state->stall_ms);
            break;
        }
        int is_probe = zmq_msg_size(&frame) == strlen(probe_topic) && memcmp(zmq_msg_data(&frame), probe_topic, strlen(probe_topic)) == 0;
        int more = zmq_msg_more(&frame);
        zmq_msg_close(&frame);
        if (more) {
            zmq_msg_init(&frame);
            zmq_msg_recv(&frame, sub, 0);
            zmq_msg_close(&frame);
        }
        if (is_probe) {
            atomic_store(&state->saw_probe, 1);
            continue;
        }
        if (state->received == 0) state->first = now_seconds();
        state->received += 1;
        state->last = now_seconds();
    }
    zmq_close(sub);
    return NULL;
}

typedef struct {
    void *xsub;
    void *xpub;
    void *control;
} proxy_state;

static void *proxy_main(void *argument) {
    proxy_state *state = argument;
    zmq_proxy_steerable(state->xsub, state->xpub, NULL, state->control);
    return NULL;
}

static void *bound_socket(void *context, int type, char *endpoint, size_t endpoint_len) {
    void *socket = zmq_socket(context, type);
    int zero = 0;
    zmq_setsockopt(socket, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(socket, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_bind(socket, "tcp://127.0.0.1:*") != 0) {
        zmq_close(socket);
        return NULL;
    }
    zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_len);
    return socket;
}

double concord_libzmq_proxy_rate(int count, const char *topic, const uint8_t *payload, size_t payload_len,
                                 int stall_ms, char *error, size_t error_len) {
    // Publisher, proxy and subscriber each with a context (and an I/O thread) of their own, as
    // when they are separate processes: the fastest arrangement libzmq offers here.
    void *proxy_context = zmq_ctx_new(), *subscriber_context = zmq_ctx_new(), *publisher_context = zmq_ctx_new();
    char xsub_endpoint[256] = {0}, xpub_endpoint[256] = {0};
    proxy_state proxy = {0};
    proxy.xsub = bound_socket(proxy_context, ZMQ_XSUB, xsub_endpoint, sizeof xsub_endpoint);
    proxy.xpub = bound_socket(proxy_context, ZMQ_XPUB, xpub_endpoint, sizeof xpub_endpoint);
    if (!proxy.xsub || !proxy.xpub) {
        snprintf(error, error_len, "bind: %s", zmq_strerror(zmq_errno()));
        if (proxy.xsub) zmq_close(proxy.xsub);
        if (proxy.xpub) zmq_close(proxy.xpub);
        zmq_ctx_term(proxy_context);
        zmq_ctx_term(subscriber_context);
        zmq_ctx_term(publisher_context);
        return -1;
    }
    proxy.control = zmq_socket(proxy_context, ZMQ_PAIR);
    zmq_bind(proxy.control, "inproc://concord-bench-control");
    void *steer = zmq_socket(proxy_context, ZMQ_PAIR);
    zmq_connect(steer, "inproc://concord-bench-control");
    pthread_t proxy_thread, subscriber_thread;
    pthread_create(&proxy_thread, NULL, proxy_main, &proxy);

    subscriber_state sub = {.context = subscriber_context, .endpoint = xpub_endpoint, .topic = topic, .count = count,
                            .stall_ms = stall_ms};
    pthread_create(&subscriber_thread, NULL, subscriber_main, &sub);

    void *pub = zmq_socket(publisher_context, ZMQ_PUB);
    int zero = 0, linger = 0;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(pub, xsub_endpoint);
    // Probe until the subscription has reached the proxy: nothing measured is lost to a slow join.
    double deadline = now_seconds() + 10;
    while (!atomic_load(&sub.saw_probe) && now_seconds() < deadline) {
        zmq_send(pub, probe_topic, strlen(probe_topic), ZMQ_SNDMORE);
        zmq_send(pub, "", 0, 0);
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    size_t topic_len = strlen(topic);
    if (atomic_load(&sub.saw_probe)) {
        for (int index = 0; index < count; index++) {
            zmq_send(pub, topic, topic_len, ZMQ_SNDMORE);
            zmq_send(pub, payload, payload_len, 0);
        }
    }
    pthread_join(subscriber_thread, NULL);
    zmq_send(steer, "TERMINATE", 9, 0);
    pthread_join(proxy_thread, NULL);
    zmq_close(pub);
    zmq_close(steer);
    zmq_close(proxy.control);
    zmq_close(proxy.xsub);
    zmq_close(proxy.xpub);
    zmq_ctx_term(publisher_context);
    zmq_ctx_term(subscriber_context);
    zmq_ctx_term(proxy_context);

    if (!atomic_load(&sub.saw_probe)) {
        snprintf(error, error_len, "the libzmq subscriber never joined through the proxy within 10 s");
        return -1;
    }
    if (sub.received < count || sub.error[0]) {
        snprintf(error, error_len, "%s", sub.error[0] ? sub.error : "the libzmq subscriber did not receive every message");
        return -1;
    }
    double elapsed = sub.last - sub.first;
    return elapsed > 0 ? (double)(count - 1) / elapsed : 0;
}
