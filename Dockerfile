# The ledger's HTTP API in a container:
#
#   docker build -t pingyang-ledger .
#   docker run -d -p 8080:8080 -v ledger:/data -v $PWD/tokens.txt:/run/secrets/tokens:ro pingyang-ledger
#
# The store is /data/ledger.db (a volume); the tokens file (ROLE TOKEN
# lines, docs/interface.md) is mounted read-only. Without --tokens the
# server listens on loopback only, which a container cannot be reached on.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (modernc SQLite): a static binary without cgo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/ledger ./cmd/ledger

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ledger /usr/local/bin/ledger
COPY LICENSE README.md /usr/local/share/doc/ledger/
ENV LEDGER_STORE=sqlite:/data/ledger.db
VOLUME /data
EXPOSE 8080
USER nonroot
# serve saves its checkpoint and stops on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ledger"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--tokens", "/run/secrets/tokens"]
