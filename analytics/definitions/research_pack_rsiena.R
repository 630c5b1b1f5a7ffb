# Netwerkleren Monitor research pack: one network's tie waves as an RSiena dependent network.
#
# Usage (in R, with the pack folder as the working directory):
#   source("rsiena_load.R")
#   w <- read_waves("networks/01_hoogbegaafdheid")
#   dim(w$array)                  # actors x actors x waves
#   library(RSiena)
#   net <- sienaDependent(w$array)  # 10 in the matrices = structural zero (not in the network then)
#   data <- sienaDataCreate(net)
#
# Codes in the matrices: 1 tie, 0 no tie, 10 structural zero (RSiena's code; 11 would be a structural one,
# NA missing). Rows of members who did not answer in a wave are 0: set them to NA yourself when you know.

read_waves <- function(folder) {
  actors <- read.csv(file.path(folder, "rsiena_actors.csv"), fileEncoding = "UTF-8-BOM",
                     stringsAsFactors = FALSE, check.names = FALSE)
  waves <- read.csv(file.path(folder, "rsiena_waves.csv"), fileEncoding = "UTF-8-BOM",
                    stringsAsFactors = FALSE, check.names = FALSE)
  n <- nrow(actors)
  arr <- array(NA_real_, dim = c(n, n, nrow(waves)),
               dimnames = list(actors$person, actors$person, waves$period))
  for (w in seq_len(nrow(waves))) {
    m <- read.csv(file.path(folder, waves$file[w]), fileEncoding = "UTF-8-BOM", row.names = 1,
                  check.names = FALSE)
    stopifnot(identical(rownames(m), actors$person), identical(colnames(m), actors$person))
    arr[, , w] <- as.matrix(m)
  }
  list(actors = actors, waves = waves, array = arr)
}
