"""What tests are written with: series builders, scenarios, strategies, timelines."""
