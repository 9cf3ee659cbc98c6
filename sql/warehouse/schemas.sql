-- Layers of the warehouse, one schema each (see DESIGN.md: raw -> core -> search -> matching -> rules; ops beside).
create extension if not exists vector;
create schema if not exists raw;
create schema if not exists core;
create schema if not exists search;
create schema if not exists matching;
create schema if not exists rules;
create schema if not exists ops;
