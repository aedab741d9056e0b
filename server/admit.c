/*
 * admit.c -- admission control: which connections are served, and how
 * long a connection may take to deliver a request.
 *
 * Why: libmicrohttpd's connection timeout counts idle time only, so a
 * client that sends one header line every few seconds (slowloris) keeps
 * its connection for ever, and a thousand such connections used to take
 * every slot.  Three rules, each a flag (main.c):
 *
 * - per address: at most cfg.max_per_ip connections from one client
 *   address are served; requests on more get 429 and are closed.  Twice
 *   that many are refused by libmicrohttpd at accept, so one address never
 *   holds more than 2 * max_per_ip of the slots;
 * - overall: at most cfg.max_connections are served; requests on more get
 *   503 (libmicrohttpd refuses outright past a headroom, see http.c);
 * - deadlines: a connection that is new, or has answered its last
 *   request, must deliver the next request line within cfg.timeout; from
 *   there the headers must arrive within cfg.header_timeout, and then the
 *   body within cfg.body_timeout.  No deadline runs while a request is
 *   being answered.  A watchdog thread wakes every ADMIT_TICK_MS and shuts
 *   down (shutdown(2), not close) the socket of every connection past its
 *   deadline: libmicrohttpd then sees the end of the stream and closes the
 *   connection itself, with its usual clean-up.
 *
 * Every connection is in one list (guarded by `lock`) from
 * NOTIFY_CONNECTION STARTED to CLOSED.  libmicrohttpd notifies CLOSED
 * before it closes the socket, and the watchdog only calls shutdown with
 * the lock held on a connection still in the list, so it never touches a
 * descriptor that was closed and reused.  Deadlines are atomics: the pool
 * threads set them without the lock.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"

#define ADMIT_TICK_MS 200
#define ADMIT_BUCKETS 1024 /* of the per-address table */

struct srv_conn {
    int fd;
    int verdict;                  /* ADMIT_* */
    _Atomic long long deadline;   /* monotonic ms; 0 = none */
    int shut;                     /* the watchdog shut it down */
    struct ip_count *ip;          /* its address's count, NULL when not counted */
    struct srv_conn *prev, *next; /* the list of connections */
};

/* Connections open from one address. */
typedef struct ip_count {
    unsigned char addr[16];
    unsigned len;
    unsigned count;
    struct ip_count *next; /* in its bucket */
} ip_count;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct srv_conn *conns; /* every open connection */
static ip_count *buckets[ADMIT_BUCKETS];
static pthread_t watchdog;
static int running, stop;

static long long now_ms(void) {
    return (long long)(srv_now() * 1000.0);
}

/* The bytes of a client address that identify it (IPv4, or IPv6 with an
 * IPv4-mapped address read as IPv4); 0 for another family. */
static unsigned addr_key(const struct sockaddr *sa, unsigned char key[16]) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!sa)
        return 0;
    if (sa->sa_family == AF_INET) {
        memcpy(key, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return 4;
    }
    if (sa->sa_family == AF_INET6) {
        const unsigned char *a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
        if (memcmp(a, mapped, 12) == 0) {
            memcpy(key, a + 12, 4);
            return 4;
        }
        memcpy(key, a, 16);
        return 16;
    }
    return 0;
}

static unsigned bucket_of(const unsigned char *key, unsigned len) {
    unsigned h = 2166136261u, i;
    for (i = 0; i < len; i++)
        h = (h ^ key[i]) * 16777619u;
    return h % ADMIT_BUCKETS;
}

/* The count of an address, created at 0 when new (lock held); NULL out of
 * memory. */
static ip_count *ip_get(const unsigned char *key, unsigned len) {
    unsigned b = bucket_of(key, len);
    ip_count *e;
    for (e = buckets[b]; e; e = e->next)
        if (e->len == len && memcmp(e->addr, key, len) == 0)
            return e;
    e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    memcpy(e->addr, key, len);
    e->len = len;
    e->next = buckets[b];
    buckets[b] = e;
    return e;
}

static void ip_put(ip_count *e) {
    ip_count **p;
    if (--e->count > 0)
        return;
    for (p = &buckets[bucket_of(e->addr, e->len)]; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            free(e);
            return;
        }
    }
}

srv_conn *admit_open(int fd, const struct sockaddr *addr) {
    const srv_config *cfg = &g_srv.cfg;
    srv_conn *c = calloc(1, sizeof *c);
    unsigned char key[16];
    unsigned len = addr_key(addr, key);
    if (!c)
        return NULL;
    c->fd = fd;
    c->verdict = ADMIT_OK;
    atomic_store(&c->deadline, cfg->timeout ? now_ms() + (long long)cfg->timeout * 1000 : 0);
    pthread_mutex_lock(&lock);
    if (cfg->max_per_ip && len) {
        c->ip = ip_get(key, len);
        if (c->ip && ++c->ip->count > cfg->max_per_ip)
            c->verdict = ADMIT_OVER_IP;
    }
    if (c->verdict == ADMIT_OK) {
        if (atomic_load(&g_srv.admitted) >= cfg->max_connections)
            c->verdict = ADMIT_OVER_CAPACITY;
        else
            atomic_fetch_add(&g_srv.admitted, 1);
    }
    c->next = conns;
    if (conns)
        conns->prev = c;
    conns = c;
    pthread_mutex_unlock(&lock);
    return c;
}

void admit_close(srv_conn *c) {
    if (!c)
        return;
    pthread_mutex_lock(&lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->ip)
        ip_put(c->ip);
    if (c->verdict == ADMIT_OK)
        atomic_fetch_sub(&g_srv.admitted, 1);
    pthread_mutex_unlock(&lock);
    free(c);
}

int admit_verdict(const srv_conn *c) {
    return c ? c->verdict : ADMIT_OK;
}

static void set_deadline(srv_conn *c, unsigned seconds) {
    if (c)
        atomic_store(&c->deadline, seconds ? now_ms() + (long long)seconds * 1000 : 0);
}

void admit_request_line(srv_conn *c) {
    set_deadline(c, g_srv.cfg.header_timeout);
}

void admit_head_read(srv_conn *c) {
    set_deadline(c, g_srv.cfg.body_timeout);
}

void admit_request_read(srv_conn *c) {
    set_deadline(c, 0);
}

void admit_request_done(srv_conn *c) {
    set_deadline(c, g_srv.cfg.timeout);
}

static void *watch(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stop) {
        struct timespec ts;
        long long now = now_ms();
        srv_conn *c;
        for (c = conns; c; c = c->next) {
            long long d = atomic_load(&c->deadline);
            if (d && now > d && !c->shut) {
                c->shut = 1;
                shutdown(c->fd, SHUT_RDWR);
                atomic_fetch_add(&g_srv.timed_out, 1);
            }
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += ADMIT_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &lock, &ts);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int admit_start(void) {
    stop = 0;
    if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
        return -1;
    running = 1;
    return 0;
}

void admit_stop(void) {
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stop = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(watchdog, NULL);
    running = 0;
}
