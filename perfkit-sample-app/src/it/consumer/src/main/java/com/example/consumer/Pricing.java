package com.example.consumer;

import java.math.BigDecimal;

public record Pricing(String plan, BigDecimal monthly) {
}
