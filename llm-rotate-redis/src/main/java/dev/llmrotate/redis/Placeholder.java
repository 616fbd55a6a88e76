package dev.llmrotate.redis;

final class Placeholder {}
