# Balancer: multi-stage build → a Native AOT executable on the runtime-deps image, non-root.
#   docker build -t balancer .
#   docker run --rm -p 8080:8080 balancer demo-backend --bind 0.0.0.0:8080 --name b1
# Native AOT is the default publish (docs/operations.md: the same CPU per request as the JIT build, 25–46 %
# less memory). For the JIT build instead: `dotnet publish src/Balancer -c Release -o /app` on the aspnet:10.0 image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Balancer -c Release -r "linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)" \
    -p:PublishAot=true -o /app --nologo \
 && rm -f /app/*.dbg /app/*.pdb

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
# iproute2 moves the virtual IP, arping announces it (gratuitous ARP). The process runs as the
# image's non-root "app" user, so the two tools get just the capability each needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 iputils-arping libcap2-bin \
 && setcap cap_net_admin+ep /usr/sbin/ip \
 && setcap cap_net_raw+ep /usr/sbin/arping \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
COPY config/ /etc/balancer/
ENV DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
USER app
EXPOSE 8080 9901 7946/udp
ENTRYPOINT ["/app/balancer"]
CMD ["--config", "/etc/balancer/balancer.json"]
