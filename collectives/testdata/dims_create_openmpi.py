# Writes dims_create_openmpi.txt: MPI_Dims_create of Open MPI 4.1.4 (via
# mpi4py's Compute_dims) for 1..130 ranks in 1..4 free dimensions, one
# "nnodes ndims dims..." line each; TestDimsCreateOpenMPI compares
# collectives.DimsCreate with it.
#   OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
#     /usr/bin/python3 dims_create_openmpi.py > dims_create_openmpi.txt
from mpi4py import MPI

for d in range(1, 5):
    for n in range(1, 131):
        print(n, d, *MPI.Compute_dims(n, d))
