/* osu.c: the measurements of bench/runtime/osu in C against MPI, so Open
 * MPI's side pays no Python overhead; prints the same JSON lines.
 *
 *   mpicc -O2 -o osu bench/runtime/osuc/osu.c && mpiexec -n 2 ./osu [-quick]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int me, size, quick;

static void iters(int n, int *warm, int *it) {
	if (quick) { *warm = 2; *it = 5; }
	else if (n >= 1 << 20) { *warm = 5; *it = 50; }
	else if (n >= 64 << 10) { *warm = 10; *it = 200; }
	else { *warm = 100; *it = 2000; }
}

static void emit(const char *bench, int n, double usec) {
	if (me == 0) {
		printf("{\"bench\":\"%s\",\"size\":%d,\"ranks\":%d,\"usec\":%.3f}\n", bench, n, size, usec);
		fflush(stdout);
	}
}

typedef void (*op)(int n, void *a, void *b);

static char *buf;
static double *sendd, *recvd, *redd;

static void pingpong(int n, void *a, void *b) {
	(void)a; (void)b;
	if (me == 0) {
		MPI_Send(buf, n, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
		MPI_Recv(buf, n, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	} else if (me == 1) {
		MPI_Recv(buf, n, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		MPI_Send(buf, n, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
	}
}
static void barrier(int n, void *a, void *b) { (void)n; (void)a; (void)b; MPI_Barrier(MPI_COMM_WORLD); }
static void bcast(int n, void *a, void *b) { (void)b; MPI_Bcast(a, n / 8, MPI_DOUBLE, 0, MPI_COMM_WORLD); }
static void allgather(int n, void *a, void *b) { MPI_Allgather(a, n / 8, MPI_DOUBLE, b, n / 8, MPI_DOUBLE, MPI_COMM_WORLD); }
static void allreduce(int n, void *a, void *b) { (void)b; MPI_Allreduce(a, redd, n / 8, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); }

/* timed runs the warm-ups, then it calls of f fenced by a barrier; it
 * returns microseconds per call. */
static double timed(int n, int itn, op f, void *a, void *b) {
	int warm, it;
	iters(itn, &warm, &it);
	for (int i = 0; i < warm; i++) f(n, a, b);
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (int i = 0; i < it; i++) f(n, a, b);
	return (MPI_Wtime() - t0) * 1e6 / it;
}

int main(int argc, char **argv) {
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	for (int i = 1; i < argc; i++) if (!strcmp(argv[i], "-quick")) quick = 1;
	const int big = 1 << 20;
	buf = calloc(big, 1);
	sendd = calloc(big / 8, 8);
	recvd = calloc((size_t)big / 8 * size, 8);
	redd = calloc(big / 8, 8);
	if (size >= 2) {
		emit("latency", 8, timed(8, 8, pingpong, 0, 0) / 2);
		emit("bandwidth", big, timed(big, big, pingpong, 0, 0));
	}
	emit("barrier", 0, timed(0, 8, barrier, 0, 0));
	int sizes[] = {8, 64 << 10, 1 << 20};
	for (int i = 0; i < 3; i++) {
		int n = sizes[i];
		emit("bcast", n, timed(n, n, bcast, sendd, 0));
		emit("allgather", n, timed(n, n, allgather, sendd, recvd));
		emit("allreduce", n, timed(n, n, allreduce, sendd, 0));
	}
	MPI_Finalize();
	return 0;
}
