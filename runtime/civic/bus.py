"""Kafka connections built from settings: the same code talks to Tansu locally and Apache Kafka in production."""

from __future__ import annotations

import logging
import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from civic.settings import ServiceSettings

log = logging.getLogger("civic.bus")


def connection_options(settings: ServiceSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_sasl_mechanism:
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password,
        )
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context(cafile=settings.kafka_ssl_ca_file)
    return options


def producer(settings: ServiceSettings, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        **connection_options(settings),
    )


def consumer(settings: ServiceSettings, group_id: str, topics: list[str],
             listener: ConsumerRebalanceListener | None = None) -> AIOKafkaConsumer:
    client = AIOKafkaConsumer(
        group_id=group_id,
        client_id=f"{group_id}-consumer",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
        metadata_max_age_ms=5_000,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        **connection_options(settings),
    )
    client.subscribe(topics=topics, listener=listener)
    return client


async def ensure_topics(settings: ServiceSettings, topics: list[str]) -> None:
    """Create the topics this process writes or reads, if the cluster lets us (Strimzi owns them in production)."""
    admin = AIOKafkaAdminClient(client_id=f"{settings.service_name}-admin", **connection_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=settings.kafka_topic_partitions, replication_factor=1) for t in missing]
                )
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def ensure_topics_before_publish(producer: AIOKafkaProducer, settings: ServiceSettings, topics: set[str]) -> None:
    """Never publish into a topic the broker does not have: create it first (or fail, and the caller retries).

    A broker that lost its data (a memory broker restarted, a cluster rebuilt) would otherwise see the
    first publish land in a topic it then re-creates with its default layout, dropping the message; one
    metadata round trip per batch is cheap insurance.
    """
    cluster = await producer.client.fetch_all_metadata()
    missing = topics - set(cluster.topics())
    if missing:
        log.info("creating missing topics before publishing", extra={"topics": sorted(missing)})
        await ensure_topics(settings, sorted(missing))
        await producer.client.force_metadata_update()
