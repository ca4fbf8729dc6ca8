"""civic_consumer_lag is reported by the replica that holds the partition: when a rebalance takes a partition
away, this replica stops reporting its lag (the figure it kept would go stale and hold the alert
CivicConsumerLagHigh up, or down, whatever the new holder sees)."""

from __future__ import annotations

from aiokafka import TopicPartition
from civic import metrics
from civic.consumer import _Rebalances
from prometheus_client import REGISTRY


def lag(topic: str, partition: int) -> float | None:
    return REGISTRY.get_sample_value(
        "civic_consumer_lag", {"service": "lag-gauge-test", "topic": topic, "partition": str(partition)})


def test_a_revoked_partition_stops_reporting_its_lag_and_the_others_keep_theirs() -> None:
    for partition, behind in ((0, 120), (1, 7)):
        metrics.CONSUMER_LAG.labels("lag-gauge-test", "property.events.v1", str(partition)).set(behind)
    listener = _Rebalances("lag-gauge-test")
    listener.on_partitions_revoked({TopicPartition("property.events.v1", 0), TopicPartition("savings.events.v1", 3)})
    assert lag("property.events.v1", 0) is None
    assert lag("property.events.v1", 1) == 7
    listener.on_partitions_revoked(set())
    assert lag("property.events.v1", 1) == 7
